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
  private readonly closeListeners = new Set<() => void>();

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

  /**
   * Runs `listener` just before the database closes (on lock or profile switch), so services on
   * this profile (the messaging core's sockets and timers) stop while the connection still works.
   */
  onClose(listener: () => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  /** Closes the database; SQLite checkpoints the WAL into the main file on last close. */
  close(): void {
    if (this.isClosed) return;
    for (const listener of [...this.closeListeners]) {
      try {
        listener();
      } catch {
        // Closing must happen whatever a listener does: the key has to leave memory.
      }
    }
    this.closeListeners.clear();
    this.isClosed = true;
    this.database.close();
    this.hooks.closed(this);
  }
}
