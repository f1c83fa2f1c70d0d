import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runInAsyncTransaction } from '../../../../main/core/db/async-transaction.js';
import {
  createEncryptedDatabase,
  type SqlDatabase,
} from '../../../../main/core/db/encrypted-database.js';
import { withoutCheckpoints } from '../../../../main/core/db/without-checkpoints.js';
import { makeTempDir } from '../helpers/temp-profiles.js';

const temps: Array<ReturnType<typeof makeTempDir>> = [];
afterEach(() => temps.splice(0).forEach((temp) => temp.cleanup()));

/** A new encrypted database in a temporary folder removed after the test. */
function newDatabase(): { db: SqlDatabase; file: string } {
  const temp = makeTempDir();
  temps.push(temp);
  const file = path.join(temp.dir, 'test.db');
  return { db: createEncryptedDatabase(file, randomBytes(32)), file };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('withoutCheckpoints', () => {
  it('keeps large commits in the WAL until the work is done, then checkpoints once', async () => {
    const { db, file } = newDatabase();
    db.exec('CREATE TABLE chunks (id INTEGER PRIMARY KEY, data BLOB NOT NULL)');
    const put = db.prepare('INSERT INTO chunks (data) VALUES (?)');
    // 6 MB in one commit: past the default automatic checkpoint (1000 pages of 4 KB).
    const commitLarge = () =>
      runInAsyncTransaction(db, async () => {
        for (let i = 0; i < 12; i += 1) put.run(randomBytes(512 * 1024));
      });
    const mainFileBytes = () => statSync(file).size;

    await commitLarge();
    const checkpointedAtCommit = mainFileBytes();
    expect(checkpointedAtCommit).toBeGreaterThan(6_000_000);

    await withoutCheckpoints(db, async () => {
      expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
      // Held back while nested too, and the work's transactions commit as usual.
      await withoutCheckpoints(db, commitLarge);
      await commitLarge();
      expect(mainFileBytes()).toBe(checkpointedAtCommit);
      expect(db.prepare('SELECT count(*) FROM chunks').pluck().get()).toBe(36);
    });
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    await nextTurn();
    expect(mainFileBytes()).toBeGreaterThan(checkpointedAtCommit + 12_000_000);
    db.close();
  });

  it('restores the setting when the work fails, and a closed connection is left alone', async () => {
    const { db } = newDatabase();
    await expect(
      withoutCheckpoints(db, async () => {
        throw new Error('work failed');
      }),
    ).rejects.toThrow('work failed');
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    await withoutCheckpoints(db, async () => db.close());
    await nextTurn();
    expect(db.open).toBe(false);
  });
});
