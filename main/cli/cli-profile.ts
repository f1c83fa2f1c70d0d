import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { MessengerError, isMessengerError } from '../../shared/errors.js';
import { KeytarKeychain } from '../core/keychain/keytar-keychain.js';
import { createLogger } from '../core/log/logger.js';
import { MessagingCore } from '../core/messaging/messaging-core.js';
import { RelayRequestError } from '../core/messaging/relay/relay-http.js';
import type { OpenProfile } from '../core/profile/open-profile.js';
import { ProfileStore } from '../core/profile/profile-store.js';
import { describeError } from '../../shared/describe-error.js';
import { removedBySchema } from '../../shared/protocol/index.js';
import {
  removedByOwnDeviceExplanation,
  type OwnDeviceRemoval,
} from '../../shared/removed-device-explanation.js';
import { recordUnlockAudit } from '../core/audit/unlock-audit.js';
import { keepWipeReportCredential } from '../core/audit/wipe-report.js';
import { loadPolicy } from '../core/policy/load-policy.js';
import type { CliIo } from './cli-command.js';
import { readPasscode } from './passcode-prompt.js';

/**
 * How `--profile <dir>` maps onto profiles: <dir> is a profile store root holding exactly one
 * profile (a UUID-named sub-folder with the SQLCipher database and its metadata), so the CLI and
 * the desktop app share one on-disk format and the same keychain entry scheme.
 */
export function cliProfileStore(dir: string): ProfileStore {
  return new ProfileStore({
    root: path.resolve(dir),
    keychain: new KeytarKeychain(),
    logger: createLogger('cli.profile'),
  });
}

export function singleProfileId(store: ProfileStore, dir: string): string | null {
  if (!existsSync(dir)) return null;
  const entries = store.list();
  if (entries.length > 1) {
    throw new MessengerError(
      'invalid_input',
      `${dir} holds ${entries.length} profiles; a --profile folder holds exactly one.`,
    );
  }
  const entry = entries[0];
  if (!entry) return null;
  if (!entry.ok)
    throw new MessengerError('database_corrupt', `The profile in ${dir}: ${entry.error}`);
  return entry.id;
}

/** Creates the folder's one profile (enrolment). */
export async function createCliProfile(dir: string, io: CliIo, label: string) {
  const store = cliProfileStore(dir);
  if (singleProfileId(store, dir) !== null) {
    throw new MessengerError(
      'profile_exists',
      `${dir} already holds a profile. Use another --profile folder to enrol again.`,
    );
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const profile = await store.create({ label, passcode: await readPasscode(io.env) });
  return { store, profile };
}

/** Unlocks the folder's one profile with the passcode from PMSG_PASSCODE or the terminal. */
export async function unlockCliProfile(
  dir: string,
  io: CliIo,
  store: ProfileStore = cliProfileStore(dir),
): Promise<OpenProfile> {
  const id = singleProfileId(store, dir);
  if (id === null) {
    throw new MessengerError(
      'profile_not_found',
      `No profile in ${dir}. Create one with \`pmsg client enrol --profile ${dir} --server <url> --code <code>\`.`,
    );
  }
  // Read before the unlock, which clears the count.
  const before = store.attemptState(id);
  const profile = await store.unlock(id, await readPasscode(io.env));
  // As the app's unlock does: the policy in force and a burst of wrong passcodes before it go
  // on the practice trail, and the wipe report's credential is kept in step.
  try {
    recordUnlockAudit(profile.repositories.audit, {
      at: Date.now(),
      policy: loadPolicy({ argv: [], platform: process.platform }),
      failuresBefore: before.failures,
      lastFailureAt: before.lastFailureAt,
    });
  } catch (error) {
    // A broken system policy is reported by the commands that apply it; the unlock goes on.
    createLogger('cli.profile').warn('unlock_audit_failed', { error: describeError(error) });
  }
  await keepWipeReportCredential(store, profile).catch(() => undefined);
  return profile;
}

/**
 * Runs `work` with the unlocked profile's messaging core, then stops it and closes the profile.
 * When the relay answers that this device was revoked with remote wipe, the profile is erased
 * (database files and keychain entry) as the protocol requires, and the command says so.
 */
export async function withCore<T>(
  dir: string,
  io: CliIo,
  work: (core: MessagingCore, profile: OpenProfile) => Promise<T>,
): Promise<T> {
  const store = cliProfileStore(dir);
  const profile = await unlockCliProfile(dir, io, store);
  let wiped = false;
  let removedBy: OwnDeviceRemoval | undefined;
  try {
    const core = MessagingCore.open(profile, { logger: createLogger('cli.messaging') });
    core.events.on((event) => {
      if (event.type === 'account.stopped' && event.reason === 'wipe') {
        wiped = true;
        removedBy ??= event.removedBy;
      }
    });
    try {
      return await work(core, profile);
    } catch (error) {
      if (isRemoteWipe(error)) {
        wiped = true;
        removedBy ??= removedByOf(error);
      }
      throw error;
    } finally {
      core.stop();
    }
  } finally {
    profile.close();
    // Overrides whatever the command was about to report: the wipe is what the user must know.
    // eslint-disable-next-line no-unsafe-finally
    if (wiped) throw await eraseWipedProfile(store, profile.id, dir, removedBy);
  }
}

function isRemoteWipe(error: unknown): boolean {
  if (error instanceof RelayRequestError) return error.code === 'remote_wipe';
  return isMessengerError(error) && error.details?.['reason'] === 'remote_wipe';
}

/** The person's own device that removed this one, from the relay's 403 `remote_wipe` details. */
function removedByOf(error: unknown): OwnDeviceRemoval | undefined {
  const details =
    error instanceof RelayRequestError || isMessengerError(error) ? error.details : undefined;
  return removedBySchema.safeParse(details?.['removedBy']).data;
}

async function eraseWipedProfile(
  store: ProfileStore,
  id: string,
  dir: string,
  removedBy: OwnDeviceRemoval | undefined,
): Promise<MessengerError> {
  try {
    await store.delete(id);
  } catch (error) {
    return new MessengerError(
      'device_wiped',
      `The relay ordered this device wiped, but erasing the profile in ${dir} failed (${error instanceof Error ? error.message : String(error)}). Delete that folder and the "Practice Messenger" keychain entry by hand.`,
    );
  }
  if (removedBy) {
    return new MessengerError(
      'device_wiped',
      `${removedByOwnDeviceExplanation(removedBy)} The profile in ${dir} and its keychain entry have been erased.`,
      { removedBy },
    );
  }
  return new MessengerError(
    'device_wiped',
    `Your practice revoked this device with remote wipe: the profile in ${dir} and its keychain entry have been erased. Ask your practice manager for a new enrolment code.`,
  );
}
