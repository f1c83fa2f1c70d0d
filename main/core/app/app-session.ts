/**
 * At most one unlocked profile at a time. Unlocking another profile closes the current one first
 * (a receptionist switching to a GP's profile must never see both), and every lock closes the
 * database so the key leaves memory. Calls are serialised: two racing unlocks cannot both win.
 */
import type { LockReason, ProfileSummary } from '../../../shared/ipc/view-schemas.js';
import { createLogger } from '../log/logger.js';
import type { ProfileGateway, UnlockedProfile } from './profile-gateway.js';
import { describeError } from '../../../shared/describe-error.js';

export interface SessionEvents {
  locked(reason: LockReason): void;
  unlocked(profileId: string): void;
}

export interface AppSession {
  isUnlocked(): boolean;
  current(): UnlockedProfile | null;
  unlock(profileId: string, passcode: string): Promise<ProfileSummary>;
  /** Creates a profile and makes it the unlocked one. */
  create(displayName: string, passcode: string): Promise<ProfileSummary>;
  lock(reason: LockReason): Promise<void>;
}

const log = createLogger('app.session');

export function createAppSession(profiles: ProfileGateway, events: SessionEvents): AppSession {
  let current: UnlockedProfile | null = null;
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
      await closing.close();
    } catch (error) {
      log.error('close_failed', { error: describeError(error) });
    }
    events.locked(reason);
  };

  const adopt = (opened: UnlockedProfile): ProfileSummary => {
    current = opened;
    events.unlocked(opened.summary.id);
    return opened.summary;
  };

  return {
    isUnlocked: () => current !== null,
    current: () => current,
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
