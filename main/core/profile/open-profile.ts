import { MessengerError } from '../../../shared/errors.js';
import type { SqlDatabase } from '../db/encrypted-database.js';
import { createRepositories, type Repositories } from '../db/repositories/repositories.js';

export interface OpenProfileHooks {
  changePasscode(profile: OpenProfile, current: string, next: string): Promise<void>;
  verifyPasscode(profile: OpenProfile, passcode: string): Promise<void>;
  closed(profile: OpenProfile): void;
}

/**
 * An unlocked profile: the open SQLCipher connection and its repositories. Holds no key
 * material of its own (SQLCipher keeps the key inside the connection). Close it on lock.
 */
export class OpenProfile {
  readonly repositories: Repositories;
  private isClosed = false;

  constructor(
    readonly id: string,
    readonly label: string,
    readonly directory: string,
    readonly databaseFile: string,
    private readonly database: SqlDatabase,
    private readonly hooks: OpenProfileHooks,
  ) {
    this.repositories = createRepositories(database);
  }

  /** The connection, for code that needs raw access (signal stores, transactions). */
  get db(): SqlDatabase {
    if (this.isClosed) throw new MessengerError('profile_locked', 'The profile is locked.');
    return this.database;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Re-checks the current passcode (counted as an attempt), then re-encrypts under the new one. */
  changePasscode(current: string, next: string): Promise<void> {
    return this.hooks.changePasscode(this, current, next);
  }

  /**
   * Checks a re-entered passcode (counted as an attempt) without reopening the database;
   * `invalid_passcode` when wrong, `too_many_attempts` while a delay runs.
   */
  async verifyPasscode(passcode: string): Promise<void> {
    if (this.isClosed) throw new MessengerError('profile_locked', 'The profile is locked.');
    return this.hooks.verifyPasscode(this, passcode);
  }

  /** Closes the database; SQLite checkpoints the WAL into the main file on last close. */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.database.close();
    this.hooks.closed(this);
  }
}
