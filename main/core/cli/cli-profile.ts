import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { MessengerError } from '../../../shared/errors.js';
import { KeytarKeychain } from '../keychain/keytar-keychain.js';
import { createLogger } from '../log/logger.js';
import { MessagingCore } from '../messaging/messaging-core.js';
import type { OpenProfile } from '../profile/open-profile.js';
import { ProfileStore } from '../profile/profile-store.js';
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
export async function unlockCliProfile(dir: string, io: CliIo): Promise<OpenProfile> {
  const store = cliProfileStore(dir);
  const id = singleProfileId(store, dir);
  if (id === null) {
    throw new MessengerError(
      'profile_not_found',
      `No profile in ${dir}. Create one with \`pmsg client enrol --profile ${dir} --server <url> --code <code>\`.`,
    );
  }
  return store.unlock(id, await readPasscode(io.env));
}

/** Runs `work` with the unlocked profile's messaging core, then stops it and closes the profile. */
export async function withCore<T>(
  dir: string,
  io: CliIo,
  work: (core: MessagingCore, profile: OpenProfile) => Promise<T>,
): Promise<T> {
  const profile = await unlockCliProfile(dir, io);
  try {
    const core = MessagingCore.open(profile, { logger: createLogger('cli.messaging') });
    try {
      return await work(core, profile);
    } finally {
      core.stop();
    }
  } finally {
    profile.close();
  }
}
