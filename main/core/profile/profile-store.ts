import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { MessengerError } from '../../../shared/errors.js';
import {
  WrongDatabaseKeyError,
  createEncryptedDatabase,
  openEncryptedDatabase,
  rekeyEncryptedDatabase,
  type SqlDatabase,
} from '../db/encrypted-database.js';
import { runMigrations } from '../db/run-migrations.js';
import type { Keychain } from '../keychain/keychain.js';
import { createLogger, type Logger } from '../log/logger.js';
import { fsyncDirectory } from './atomic-file.js';
import {
  ATTEMPTS_FILE,
  DEFAULT_ATTEMPT_POLICY,
  FailedAttempts,
  type AttemptPolicy,
  type AttemptState,
} from './failed-attempts.js';
import {
  DEFAULT_SCRYPT_PARAMS,
  KEYCHAIN_SECRET_BYTES,
  SALT_BYTES,
  deriveDatabaseKey,
  type ScryptParams,
} from './key-derivation.js';
import { OpenProfile } from './open-profile.js';
import { assertPasscodeAcceptable } from './passcode-policy.js';
import {
  METADATA_FILE,
  readProfileMetadata,
  writeProfileMetadata,
  type KdfRecord,
  type ProfileMetadata,
} from './profile-metadata.js';

export const DATABASE_FILE = 'profile.db';

export interface ProfileStoreOptions {
  /** Folder holding one sub-folder per profile. Created 0700 if missing. */
  readonly root: string;
  readonly keychain: Keychain;
  /** KDF for new profiles and passcode changes; existing profiles keep theirs until then. */
  readonly scrypt?: ScryptParams;
  readonly attemptPolicy?: AttemptPolicy;
  readonly now?: () => number;
  readonly logger?: Logger;
}

export type ProfileListEntry =
  | { readonly ok: true; readonly id: string; readonly label: string; readonly createdAt: string }
  | { readonly ok: false; readonly id: string; readonly error: string };

const profileIdPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Creates, unlocks, re-keys, lists and deletes staff profiles. Each profile is a 0700 folder
 * with an SQLCipher database and a plain metadata file; its key needs both the passcode and a
 * secret held in the OS keychain (see key-derivation.ts).
 */
export class ProfileStore {
  private readonly root: string;
  private readonly keychain: Keychain;
  private readonly scrypt: ScryptParams;
  private readonly attemptPolicy: AttemptPolicy;
  private readonly now: () => number;
  private readonly logger: Logger;
  private readonly open = new Map<string, OpenProfile>();
  private readonly keyChecks = new WeakMap<OpenProfile, Buffer>();
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(options: ProfileStoreOptions) {
    this.root = path.resolve(options.root);
    this.keychain = options.keychain;
    this.scrypt = options.scrypt ?? DEFAULT_SCRYPT_PARAMS;
    this.attemptPolicy = options.attemptPolicy ?? DEFAULT_ATTEMPT_POLICY;
    this.now = options.now ?? Date.now;
    this.logger = options.logger ?? createLogger('profile');
  }

  /** Creates a profile and returns it unlocked. Nothing is left behind if any step fails. */
  async create(input: { label: string; passcode: string }): Promise<OpenProfile> {
    const label = input.label.trim();
    if (label.length === 0 || label.length > 100) {
      throw new MessengerError('invalid_input', 'The profile label must be 1 to 100 characters.');
    }
    assertPasscodeAcceptable(input.passcode);
    this.ensureRoot();
    const id = randomUUID();
    const secret = randomBytes(KEYCHAIN_SECRET_BYTES);
    const kdf = this.newKdfRecord();
    const key = await this.deriveKey(id, secret, input.passcode, kdf);
    // The keychain first: if it is unavailable, no file has been written yet.
    await this.keychain.setSecret(id, secret.toString('base64'));
    secret.fill(0);
    const staging = path.join(this.root, `.creating-${id}`);
    try {
      mkdirSync(staging, { mode: 0o700 });
      chmodSync(staging, 0o700);
      const db = createEncryptedDatabase(path.join(staging, DATABASE_FILE), key);
      try {
        runMigrations(db, undefined, this.now);
      } finally {
        db.close();
      }
      const metadata: ProfileMetadata = {
        format: 1,
        id,
        label,
        createdAt: new Date(this.now()).toISOString(),
        kdf,
      };
      writeProfileMetadata(path.join(staging, METADATA_FILE), metadata);
      // Appears under its real name only when complete, so list() never sees half a profile.
      renameSync(staging, this.directoryOf(id));
      fsyncDirectory(this.root);
      this.logger.info('profile_created', { profileId: id });
      return this.openWithKey(metadata, key);
    } catch (error) {
      rmSync(staging, { recursive: true, force: true });
      await this.keychain.deleteSecret(id).catch(() => false);
      throw error;
    } finally {
      key.fill(0);
    }
  }

  /**
   * Opens a profile with its passcode. Wrong passcode -> invalid_passcode (counted); while the
   * delay after repeated failures runs -> too_many_attempts; keychain entry gone ->
   * keychain_entry_missing. On any failure nothing stays open.
   */
  unlock(id: string, passcode: string): Promise<OpenProfile> {
    return this.serialised(id, () => this.unlockNow(id, passcode));
  }

  /** Changes the passcode of a profile that is not open (e.g. from the CLI). */
  async changePasscode(id: string, current: string, next: string): Promise<void> {
    assertPasscodeAcceptable(next);
    const profile = await this.unlock(id, current);
    try {
      await this.serialised(id, () => this.rekey(profile, next));
    } finally {
      profile.close();
    }
  }

  /**
   * Deletes a profile: the keychain entry first (which alone makes the files unreadable), then
   * the folder. Needs no passcode, because a forgotten passcode is resolved by re-enrolment.
   */
  delete(id: string): Promise<void> {
    return this.serialised(id, async () => {
      const directory = this.directoryOf(id);
      this.open.get(id)?.close();
      const hadSecret = await this.keychain.deleteSecret(id);
      // The wipe report's credential goes with the profile (the wipe path read it first).
      await this.keychain.deleteSecret(`${id}.wipe-report`).catch(() => false);
      if (!existsSync(directory) && !hadSecret) {
        throw new MessengerError('profile_not_found', `There is no profile ${id}.`);
      }
      rmSync(directory, { recursive: true, force: true });
      fsyncDirectory(this.root);
      this.logger.info('profile_deleted', { profileId: id });
    });
  }

  /**
   * A small keychain entry of a profile besides its key secret, readable without the passcode:
   * the wipe report's credential (main/core/audit/wipe-report.ts). Null when there is none.
   */
  getSideSecret(id: string, name: 'wipe-report'): Promise<string | null> {
    return this.keychain.getSecret(`${id}.${name}`);
  }

  setSideSecret(id: string, name: 'wipe-report', value: string): Promise<void> {
    return this.keychain.setSecret(`${id}.${name}`, value);
  }

  deleteSideSecret(id: string, name: 'wipe-report'): Promise<boolean> {
    return this.keychain.deleteSecret(`${id}.${name}`);
  }

  /** Every profile folder; a folder with unreadable metadata is listed with the reason. */
  list(): ProfileListEntry[] {
    if (!existsSync(this.root)) return [];
    return readdirSync(this.root, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && profileIdPattern.test(entry.name))
      .map((entry): ProfileListEntry => {
        try {
          const metadata = readProfileMetadata(this.metadataFileOf(entry.name), entry.name);
          return {
            ok: true,
            id: metadata.id,
            label: metadata.label,
            createdAt: metadata.createdAt,
          };
        } catch (error) {
          return { ok: false, id: entry.name, error: (error as Error).message };
        }
      })
      .sort((a, b) => (a.ok && b.ok ? a.label.localeCompare(b.label) : a.ok ? -1 : 1));
  }

  /** Failed-attempt count and when the next try is allowed, for the unlock screen. */
  attemptState(id: string): AttemptState {
    return this.attemptsOf(id).state(this.now());
  }

  directoryOf(id: string): string {
    if (!profileIdPattern.test(id)) {
      throw new MessengerError('invalid_input', 'A profile id is a lowercase UUID.');
    }
    return path.join(this.root, id);
  }

  private async unlockNow(id: string, passcode: string): Promise<OpenProfile> {
    const metadata = readProfileMetadata(this.metadataFileOf(id), id);
    if (this.open.has(id)) {
      throw new MessengerError('conflict', 'This profile is already open in this app.');
    }
    const attempts = this.attemptsOf(id);
    attempts.assertMayTry(this.now());
    const secret = await this.readSecret(id);
    try {
      for (const kdf of [metadata.kdf, metadata.pendingKdf]) {
        if (!kdf) continue;
        const key = await this.deriveKey(id, secret, passcode, kdf);
        try {
          const profile = this.openWithKey(metadata, key);
          attempts.reset();
          this.settlePendingKdf(metadata, kdf);
          return profile;
        } catch (error) {
          if (!(error instanceof WrongDatabaseKeyError)) throw error;
        } finally {
          key.fill(0);
        }
      }
    } finally {
      secret.fill(0);
    }
    const state = attempts.recordFailure(this.now());
    this.logger.warn('unlock_failed', { profileId: id, failures: state.failures });
    throw new MessengerError('invalid_passcode', 'The passcode is not correct.', {
      failures: state.failures,
      retryAt: state.retryAt === null ? null : new Date(state.retryAt).toISOString(),
    });
  }

  /**
   * Crash-safe passcode change: (1) record the new salt as pendingKdf beside the current one,
   * (2) PRAGMA rekey, (3) make the new salt current. A crash between any two steps leaves a
   * profile that opens with the old or the new passcode: unlock tries both salts.
   */
  private async rekey(profile: OpenProfile, next: string): Promise<void> {
    assertPasscodeAcceptable(next);
    const metadataFile = this.metadataFileOf(profile.id);
    const metadata = readProfileMetadata(metadataFile, profile.id);
    const secret = await this.readSecret(profile.id);
    const pendingKdf = this.newKdfRecord();
    const newKey = await this.deriveKey(profile.id, secret, next, pendingKdf);
    secret.fill(0);
    try {
      writeProfileMetadata(metadataFile, { ...metadata, pendingKdf });
      rekeyEncryptedDatabase(profile.db, profile.databaseFile, newKey);
      writeProfileMetadata(metadataFile, { ...metadata, kdf: pendingKdf, pendingKdf: undefined });
      this.keyChecks.set(profile, keyCheckOf(newKey));
      this.logger.info('passcode_changed', { profileId: profile.id });
    } finally {
      newKey.fill(0);
    }
  }

  private async changeOpenProfilePasscode(profile: OpenProfile, current: string, next: string) {
    assertPasscodeAcceptable(next);
    await this.serialised(profile.id, async () => {
      await this.checkOpenProfilePasscode(profile, current, 'The current passcode is not correct.');
      await this.rekey(profile, next);
    });
  }

  /**
   * Re-entry of the passcode of an open profile (before an export, say), checked against the
   * in-memory key digest without reopening the database. Counted like an unlock attempt, so it
   * cannot be used to guess the passcode faster than the unlock screen allows.
   */
  private verifyOpenProfilePasscode(profile: OpenProfile, passcode: string): Promise<void> {
    return this.serialised(profile.id, () =>
      this.checkOpenProfilePasscode(profile, passcode, 'The passcode is not correct.'),
    );
  }

  private async checkOpenProfilePasscode(
    profile: OpenProfile,
    passcode: string,
    wrongMessage: string,
  ): Promise<void> {
    const attempts = this.attemptsOf(profile.id);
    attempts.assertMayTry(this.now());
    const metadata = readProfileMetadata(this.metadataFileOf(profile.id), profile.id);
    const secret = await this.readSecret(profile.id);
    const key = await this.deriveKey(profile.id, secret, passcode, metadata.kdf);
    secret.fill(0);
    const expected = this.keyChecks.get(profile);
    const matches = expected !== undefined && timingSafeEqual(keyCheckOf(key), expected);
    key.fill(0);
    if (!matches) {
      const state = attempts.recordFailure(this.now());
      this.logger.warn('passcode_check_failed', {
        profileId: profile.id,
        failures: state.failures,
      });
      throw new MessengerError('invalid_passcode', wrongMessage, { failures: state.failures });
    }
    attempts.reset();
  }

  private openWithKey(metadata: ProfileMetadata, key: Buffer): OpenProfile {
    const directory = this.directoryOf(metadata.id);
    const databaseFile = path.join(directory, DATABASE_FILE);
    const db: SqlDatabase = openEncryptedDatabase(databaseFile, key);
    try {
      runMigrations(db, undefined, this.now);
    } catch (error) {
      db.close();
      throw error;
    }
    const profile = new OpenProfile(metadata.id, metadata.label, directory, databaseFile, db, {
      changePasscode: (p, current, next) => this.changeOpenProfilePasscode(p, current, next),
      verifyPasscode: (p, passcode) => this.verifyOpenProfilePasscode(p, passcode),
      closed: (p) => {
        if (this.open.get(p.id) === p) this.open.delete(p.id);
      },
    });
    this.keyChecks.set(profile, keyCheckOf(key));
    this.open.set(metadata.id, profile);
    return profile;
  }

  /** After a crash mid passcode change, adopt whichever salt actually opened the database. */
  private settlePendingKdf(metadata: ProfileMetadata, used: KdfRecord): void {
    if (!metadata.pendingKdf) return;
    writeProfileMetadata(this.metadataFileOf(metadata.id), {
      ...metadata,
      kdf: used,
      pendingKdf: undefined,
    });
    this.logger.info('pending_passcode_change_settled', { profileId: metadata.id });
  }

  private async readSecret(id: string): Promise<Buffer> {
    const stored = await this.keychain.getSecret(id);
    const secret = stored === null ? null : Buffer.from(stored, 'base64');
    if (secret === null || secret.length !== KEYCHAIN_SECRET_BYTES) {
      throw new MessengerError(
        'keychain_entry_missing',
        `This profile's secret is ${stored === null ? 'missing from' : 'damaged in'} the OS ` +
          `keychain, so it cannot be opened with any passcode. This happens when the profile ` +
          `was created under another OS user account or the keychain was reset. Delete the ` +
          `profile and enrol again.`,
        { profileId: id },
      );
    }
    return secret;
  }

  private deriveKey(id: string, secret: Buffer, passcode: string, kdf: KdfRecord) {
    return deriveDatabaseKey({
      keychainSecret: secret,
      passcode,
      salt: Buffer.from(kdf.salt, 'base64'),
      params: { N: kdf.N, r: kdf.r, p: kdf.p },
      profileId: id,
    });
  }

  private newKdfRecord(): KdfRecord {
    return {
      algorithm: 'scrypt',
      ...this.scrypt,
      salt: randomBytes(SALT_BYTES).toString('base64'),
    };
  }

  private attemptsOf(id: string): FailedAttempts {
    return new FailedAttempts(
      path.join(this.directoryOf(id), ATTEMPTS_FILE),
      this.attemptPolicy,
      this.logger,
    );
  }

  private metadataFileOf(id: string): string {
    return path.join(this.directoryOf(id), METADATA_FILE);
  }

  private ensureRoot(): void {
    mkdirSync(this.root, { recursive: true, mode: 0o700 });
  }

  /** One unlock / rekey / delete per profile at a time, so concurrent tries cannot skip a delay. */
  private serialised<T>(id: string, work: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(id) ?? Promise.resolve();
    const run = previous.then(work, work);
    const settled = run.catch(() => undefined);
    this.locks.set(id, settled);
    void settled.then(() => {
      if (this.locks.get(id) === settled) this.locks.delete(id);
    });
    return run;
  }
}

/** A digest of the key kept in memory to re-check the passcode without holding the key. */
function keyCheckOf(key: Buffer): Buffer {
  return createHash('sha256').update('practice-messenger/key-check').update(key).digest();
}
