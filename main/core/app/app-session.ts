/**
 * At most one unlocked profile at a time. Unlocking another profile closes the current one first
 * (a receptionist switching to a GP's profile must never see both), and every lock closes the
 * database so the key leaves memory. Calls are serialised: two racing unlocks cannot both win.
 * What runs while a profile is unlocked (the profile runtime) is started as it unlocks and
 * stopped before its database closes.
 */
import type { LockReason, ProfileSummary } from '../../../shared/ipc/view-schemas.js';
import { describeError } from '../../../shared/describe-error.js';
import { createLogger } from '../log/logger.js';
import type { ProfileGateway, UnlockedProfile } from './profile-gateway.js';

export interface SessionHooks<Runtime> {
  /** Starts what runs while this profile is unlocked; a throw leaves the session locked. */
  start(unlocked: UnlockedProfile): Runtime;
  /** Stops it, while the database is still open. */
  stop(runtime: Runtime): void;
  locked(reason: LockReason): void;
  unlocked(profileId: string): void;
}

export interface AppSession<Runtime> {
  isUnlocked(): boolean;
  current(): UnlockedProfile | null;
  /** The runtime of the unlocked profile; null while locked. */
  runtime(): Runtime | null;
  unlock(profileId: string, passcode: string): Promise<ProfileSummary>;
  /** Creates a profile and makes it the unlocked one. */
  create(displayName: string, passcode: string): Promise<ProfileSummary>;
  lock(reason: LockReason): Promise<void>;
}

const log = createLogger('app.session');

export function createAppSession<Runtime>(
  profiles: ProfileGateway,
  hooks: SessionHooks<Runtime>,
): AppSession<Runtime> {
  let current: { unlocked: UnlockedProfile; runtime: Runtime } | null = null;
  let queue: Promise<unknown> = Promise.resolve();
  const serialised = <T>(task: () => Promise<T>): Promise<T> => {
    const run = queue.then(task, task);
    queue = run.catch(() => undefined);
    return run;
  };

  const lockNow = async (reason: LockReason): Promise<void> => {
    if (current === null) return;
    const closing = current;
    current = null;
    try {
      hooks.stop(closing.runtime);
    } catch (error) {
      log.error('stop_failed', { error: describeError(error) });
    }
    try {
      await closing.unlocked.close();
    } catch (error) {
      log.error('close_failed', { error: describeError(error) });
    }
    hooks.locked(reason);
  };

  const adopt = async (opened: UnlockedProfile): Promise<ProfileSummary> => {
    let runtime: Runtime;
    try {
      runtime = hooks.start(opened);
    } catch (error) {
      await opened.close();
      throw error;
    }
    current = { unlocked: opened, runtime };
    hooks.unlocked(opened.summary.id);
    return opened.summary;
  };

  return {
    isUnlocked: () => current !== null,
    current: () => current?.unlocked ?? null,
    runtime: () => current?.runtime ?? null,
    unlock: (profileId, passcode) =>
      serialised(async () => {
        await lockNow('profile-switch');
        return adopt(await profiles.unlock(profileId, passcode));
      }),
    create: (displayName, passcode) =>
      serialised(async () => {
        await lockNow('profile-switch');
        return adopt(await profiles.create(displayName, passcode));
      }),
    lock: (reason) => serialised(() => lockNow(reason)),
  };
}

/** True when the machine has been idle at least as long as the lock timeout. */
export function isIdleLockDue(idleSeconds: number, lockTimeoutMinutes: number): boolean {
  return idleSeconds >= lockTimeoutMinutes * 60;
}
