import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Keychain } from '../../../../main/core/keychain/keychain.js';
import { createLogger } from '../../../../main/core/log/logger.js';
import { KeytarKeychain } from '../../../../main/core/keychain/keytar-keychain.js';
import type { ScryptParams } from '../../../../main/core/profile/key-derivation.js';
import {
  ProfileStore,
  type ProfileStoreOptions,
} from '../../../../main/core/profile/profile-store.js';

/** Cheap scrypt so most tests stay fast; one test uses the real defaults. */
export const CHEAP_SCRYPT: ScryptParams = { N: 2 ** 10, r: 8, p: 1 };

export const PASSCODE = 'correct horse 1';

export function makeTempDir(prefix = 'pmsg-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A store on the real OS keychain (the tests run under a private gnome-keyring). */
export function newStore(
  root: string,
  options: Partial<ProfileStoreOptions> & { keychain?: Keychain } = {},
): ProfileStore {
  return new ProfileStore({
    root,
    keychain: options.keychain ?? new KeytarKeychain(),
    scrypt: CHEAP_SCRYPT,
    logger: createLogger('test', { sink: () => undefined }),
    ...options,
  });
}
