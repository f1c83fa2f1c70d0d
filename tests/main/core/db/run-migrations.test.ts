import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isMessengerError } from '../../../../shared/errors.js';
import {
  createEncryptedDatabase,
  openEncryptedDatabase,
  type SqlDatabase,
} from '../../../../main/core/db/encrypted-database.js';
import type { Migration } from '../../../../main/core/db/migration.js';
import { migrations } from '../../../../main/core/db/migrations/index.js';
import { runMigrations } from '../../../../main/core/db/run-migrations.js';
import { makeTempDir } from '../helpers/temp-profiles.js';

let temp: ReturnType<typeof makeTempDir>;
let file: string;
const key = randomBytes(32);
beforeEach(() => {
  temp = makeTempDir();
  file = path.join(temp.dir, 'test.db');
});
afterEach(() => temp.cleanup());

const tableNames = (db: SqlDatabase) =>
  db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (isMessengerError(error, 'migration_refused')) return error.message;
    throw error;
  }
  throw new Error('expected migration_refused');
}

const step = (id: number, name: string, sql: string): Migration => ({
  id,
  name,
  up: (db) => db.exec(sql),
});

describe('runMigrations', () => {
  it('creates every STRICT table once and is idempotent on reopen', () => {
    const db = createEncryptedDatabase(file, key);
    expect(runMigrations(db).applied).toEqual(migrations.map((m) => m.id));
    const expected = [
      'audit_log',
      'contacts',
      'conversations',
      'kyber_prekeys',
      'messages',
      'outbox',
      'own_identity',
      'prekeys',
      'remote_device_identities',
      'sender_keys',
      'sessions',
      'settings',
      'signed_prekeys',
    ];
    expect(tableNames(db)).toEqual(expect.arrayContaining(expected));
    const nonStrict = db
      .prepare(
        "SELECT name FROM pragma_table_list WHERE type = 'table' AND strict = 0 AND name NOT LIKE 'sqlite_%'",
      )
      .pluck()
      .all();
    expect(nonStrict).toEqual([]);
    expect(runMigrations(db).applied).toEqual([]);
    db.close();

    const reopened = openEncryptedDatabase(file, key);
    expect(runMigrations(reopened).applied).toEqual([]);
    expect(reopened.prepare('SELECT count(*) FROM schema_migrations').pluck().get()).toBe(
      migrations.length,
    );
    reopened.close();
  });

  it('applies only the new migrations when the code gains one', () => {
    const db = createEncryptedDatabase(file, key);
    runMigrations(db);
    const next = [
      ...migrations,
      step(migrations.length + 1, 'extra', 'CREATE TABLE extra (x INTEGER) STRICT'),
    ];
    expect(runMigrations(db, next).applied).toEqual([migrations.length + 1]);
    expect(runMigrations(db, next).applied).toEqual([]);
    expect(tableNames(db)).toContain('extra');
    db.close();
  });

  it('refuses a database migrated by a newer app (unknown migration recorded)', () => {
    const db = createEncryptedDatabase(file, key);
    runMigrations(db);
    db.prepare('INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)').run(
      migrations.length + 1,
      'from-the-future',
      Date.now(),
    );
    const message = refusal(() => runMigrations(db));
    expect(message).toMatch(/newer version/);
    expect(message).toContain('from-the-future');
    db.close();
  });

  it('refuses an out-of-order history (a gap before a recorded migration)', () => {
    const db = createEncryptedDatabase(file, key);
    const three = [
      step(1, 'one', 'CREATE TABLE one (x INTEGER) STRICT'),
      step(2, 'two', 'CREATE TABLE two (x INTEGER) STRICT'),
      step(3, 'three', 'CREATE TABLE three (x INTEGER) STRICT'),
    ];
    runMigrations(db, three.slice(0, 1));
    db.prepare("INSERT INTO schema_migrations (id, name, applied_at) VALUES (3, 'three', 1)").run();
    expect(refusal(() => runMigrations(db, three))).toMatch(/out of order/);
    expect(tableNames(db)).not.toContain('two');
    db.close();
  });

  it('refuses a recorded migration whose name differs from the code', () => {
    const db = createEncryptedDatabase(file, key);
    runMigrations(db, [step(1, 'one', 'CREATE TABLE one (x INTEGER) STRICT')]);
    expect(refusal(() => runMigrations(db, [step(1, 'uno', 'SELECT 1')]))).toMatch(/'uno'/);
    db.close();
  });

  it('rolls a failing migration back completely, leaving no record', () => {
    const db = createEncryptedDatabase(file, key);
    const failing = [
      step(1, 'one', 'CREATE TABLE one (x INTEGER) STRICT'),
      step(2, 'broken', 'CREATE TABLE half (x INTEGER) STRICT; INSERT INTO nowhere VALUES (1);'),
    ];
    expect(() => runMigrations(db, failing)).toThrow(/no such table: nowhere/);
    expect(tableNames(db)).toContain('one');
    expect(tableNames(db)).not.toContain('half');
    expect(db.prepare('SELECT id FROM schema_migrations').pluck().all()).toEqual([1]);
    db.close();
  });
});
