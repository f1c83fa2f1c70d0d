import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createEncryptedDatabase } from '../../../../main/core/db/encrypted-database.js';
import { migrations } from '../../../../main/core/db/migrations/index.js';
import { runMigrations } from '../../../../main/core/db/run-migrations.js';
import { makeTempDir } from '../helpers/temp-profiles.js';

let temp: ReturnType<typeof makeTempDir>;
beforeEach(() => {
  temp = makeTempDir();
});
afterEach(() => temp.cleanup());

it('carries per-account identities over to every device we held a session with, trust kept', () => {
  const db = createEncryptedDatabase(path.join(temp.dir, 'test.db'), randomBytes(32));
  runMigrations(
    db,
    migrations.filter((m) => m.id < 9),
  );
  const key = Buffer.from([5, ...randomBytes(32)]);
  const insertIdentity = db.prepare(
    'INSERT INTO remote_identities (account_id, identity_key, trust, first_seen_at, changed_at) VALUES (?, ?, ?, ?, ?)',
  );
  insertIdentity.run('gp', key, 'changed', 10, 20);
  insertIdentity.run('nurse', key, 'verified', 30, null);
  const insertSession = db.prepare(
    'INSERT INTO sessions (account_id, device_id, record, updated_at) VALUES (?, ?, ?, 1)',
  );
  insertSession.run('gp', 1, Buffer.from([1]));
  insertSession.run('gp', 2, Buffer.from([1]));

  expect(
    runMigrations(
      db,
      migrations.filter((m) => m.id <= 9),
    ).applied,
  ).toEqual([9]);
  const rows = db
    .prepare(
      'SELECT account_id, device_id, trust, first_seen_at, changed_at, removed_at FROM remote_device_identities ORDER BY account_id, device_id',
    )
    .all();
  expect(rows).toEqual([
    {
      account_id: 'gp',
      device_id: 1,
      trust: 'changed',
      first_seen_at: 10,
      changed_at: 20,
      removed_at: null,
    },
    {
      account_id: 'gp',
      device_id: 2,
      trust: 'changed',
      first_seen_at: 10,
      changed_at: 20,
      removed_at: null,
    },
    {
      account_id: 'nurse',
      device_id: 1,
      trust: 'verified',
      first_seen_at: 30,
      changed_at: null,
      removed_at: null,
    },
  ]);
  expect(
    db.prepare("SELECT name FROM sqlite_master WHERE name = 'remote_identities'").all(),
  ).toEqual([]);
  db.close();
});
