import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  WrongDatabaseKeyError,
  createEncryptedDatabase,
  openEncryptedDatabase,
  rekeyEncryptedDatabase,
} from '../../../../main/core/db/encrypted-database.js';
import { runMigrations } from '../../../../main/core/db/run-migrations.js';
import { makeTempDir } from '../helpers/temp-profiles.js';

let temp: ReturnType<typeof makeTempDir>;
let file: string;
beforeEach(() => {
  temp = makeTempDir();
  file = path.join(temp.dir, 'test.db');
});
afterEach(() => temp.cleanup());

describe('encrypted database', () => {
  it('opens with the right key, refuses a wrong one, and sets WAL, foreign keys and 0600 files', () => {
    const key = randomBytes(32);
    const db = createEncryptedDatabase(file, key);
    runMigrations(db);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('cipher', { simple: true })).toBe('sqlcipher');
    db.prepare("INSERT INTO settings (key, value, updated_at) VALUES ('a', '1', 1)").run();
    for (const companion of [file, `${file}-wal`, `${file}-shm`]) {
      expect(existsSync(companion)).toBe(true);
      expect(statSync(companion).mode & 0o777).toBe(0o600);
    }
    db.close();

    expect(() => openEncryptedDatabase(file, randomBytes(32))).toThrow(WrongDatabaseKeyError);
    const reopened = openEncryptedDatabase(file, key);
    expect(reopened.prepare('SELECT value FROM settings').pluck().get()).toBe('1');
    reopened.close();
  });

  it('refuses a missing file instead of creating an empty one', () => {
    expect(() => openEncryptedDatabase(file, randomBytes(32))).toThrow(/missing/);
    expect(existsSync(file)).toBe(false);
  });

  it('rekeys in place: the old key stops working, the data stays', () => {
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const db = createEncryptedDatabase(file, oldKey);
    runMigrations(db);
    db.prepare("INSERT INTO settings (key, value, updated_at) VALUES ('kept', '42', 1)").run();
    rekeyEncryptedDatabase(db, file, newKey);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    expect(() => openEncryptedDatabase(file, oldKey)).toThrow(WrongDatabaseKeyError);
    const reopened = openEncryptedDatabase(file, newKey);
    expect(reopened.prepare("SELECT value FROM settings WHERE key = 'kept'").pluck().get()).toBe(
      '42',
    );
    reopened.close();
  });

  it('enforces STRICT column types and foreign keys', () => {
    const db = createEncryptedDatabase(file, randomBytes(32));
    runMigrations(db);
    expect(() =>
      db.prepare("INSERT INTO prekeys (id, record, created_at) VALUES (1, x'00', 'soon')").run(),
    ).toThrow(/cannot store TEXT value in INTEGER column/);
    expect(() =>
      db
        .prepare(
          `INSERT INTO messages (id, conversation_id, direction, sender_account_id, body, status, sent_at)
           VALUES ('m', 'no-such-conversation', 'incoming', 'a', 'b', 'sent', 1)`,
        )
        .run(),
    ).toThrow(/FOREIGN KEY constraint failed/);
    db.close();
  });
});
