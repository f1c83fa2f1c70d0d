import { chmodSync, closeSync, existsSync, openSync } from 'node:fs';
import Database from 'better-sqlite3-multiple-ciphers';
import { MessengerError } from '../../../shared/errors.js';
import { guardWrites } from './async-transaction.js';

export type SqlDatabase = Database.Database;

/** Database key length: SQLCipher 4 raw keys are 256-bit. */
export const DATABASE_KEY_BYTES = 32;
export const FILE_MODE = 0o600;

/** Thrown when the key does not decrypt the file; the profile layer turns it into invalid_passcode. */
export class WrongDatabaseKeyError extends Error {
  constructor() {
    super('The database key does not match this database file.');
    this.name = 'WrongDatabaseKeyError';
  }
}

/** The main file and every companion SQLite may create beside it. */
export function databaseFiles(file: string): string[] {
  return [file, `${file}-wal`, `${file}-shm`, `${file}-journal`];
}

/**
 * Creates a new, empty encrypted database. The file is created 0600 before SQLite opens it:
 * SQLite gives -wal, -shm and -journal files the mode of the main file, so they are private too
 * without touching the process-wide umask.
 */
export function createEncryptedDatabase(file: string, key: Buffer): SqlDatabase {
  closeSync(openSync(file, 'wx', FILE_MODE));
  return openEncryptedDatabase(file, key, { allowEmpty: true });
}

/**
 * Opens an existing encrypted database with a raw 256-bit key (no second PBKDF2: the key is
 * already derived with scrypt + HKDF), checks the key by reading the schema, and sets the
 * connection up. Throws WrongDatabaseKeyError for a wrong key; nothing stays open on failure.
 */
export function openEncryptedDatabase(
  file: string,
  key: Buffer,
  options: { allowEmpty?: boolean } = {},
): SqlDatabase {
  if (key.length !== DATABASE_KEY_BYTES) throw new Error('Database key must be 32 bytes');
  if (!existsSync(file)) {
    throw new MessengerError('database_corrupt', 'The profile database file is missing.');
  }
  const db = new Database(file, { fileMustExist: true });
  try {
    db.pragma(`cipher = 'sqlcipher'`);
    db.pragma('legacy = 4');
    db.pragma(`key = "x'${key.toString('hex')}'"`);
    const tables = verifyKey(db);
    // SQLite with a key on an empty file accepts any key, so an empty file is only acceptable
    // while it is being created.
    if (tables === 0 && !options.allowEmpty) {
      throw new MessengerError('database_corrupt', 'The profile database is empty.');
    }
    // Lets retention give space back with `PRAGMA incremental_vacuum` instead of a full VACUUM.
    // Only takes effect while the file is still empty: switching to WAL below writes the header,
    // after which SQLite ignores it (profiles created before this need a VACUUM to convert).
    if (tables === 0) db.pragma('auto_vacuum = INCREMENTAL');
    configureConnection(db);
    restrictFileModes(file);
    // Before any repository prepares a statement: see async-transaction.ts.
    guardWrites(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * Re-encrypts the whole database under a new key. SQLite3 Multiple Ciphers refuses to rekey in
 * WAL mode, so the WAL is checkpointed away and the rekey runs with a rollback journal (which
 * keeps it atomic), then WAL is restored.
 */
export function rekeyEncryptedDatabase(db: SqlDatabase, file: string, newKey: Buffer): void {
  if (newKey.length !== DATABASE_KEY_BYTES) throw new Error('Database key must be 32 bytes');
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.pragma('journal_mode = DELETE');
  try {
    db.pragma(`rekey = "x'${newKey.toString('hex')}'"`);
  } finally {
    db.pragma('journal_mode = WAL');
    restrictFileModes(file);
  }
}

/** Belt and braces for files created before this code set the mode, or copied in by a user. */
export function restrictFileModes(file: string): void {
  for (const path of databaseFiles(file)) {
    if (existsSync(path)) chmodSync(path, FILE_MODE);
  }
}

function verifyKey(db: SqlDatabase): number {
  try {
    return db.prepare('SELECT count(*) AS n FROM sqlite_master').pluck().get() as number;
  } catch (error) {
    if (isNotADatabase(error)) throw new WrongDatabaseKeyError();
    throw error;
  }
}

function configureConnection(db: SqlDatabase): void {
  db.pragma('journal_mode = WAL');
  // FULL: a received message is acked to the relay (which then forgets it) only after it is
  // committed, so a commit must survive a power cut, not just a process crash.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  // Sorts and temporary tables stay in memory: SQLite's temp files are not encrypted.
  db.pragma('temp_store = MEMORY');
  db.pragma('busy_timeout = 5000');
}

function isNotADatabase(error: unknown): boolean {
  return (
    error instanceof Error &&
    ((error as { code?: unknown }).code === 'SQLITE_NOTADB' ||
      /file is not a database/i.test(error.message))
  );
}
