import type { SqlDatabase } from './encrypted-database.js';

/**
 * Runs `work` with the connection's automatic WAL checkpoints held back, then checkpoints once
 * (PASSIVE) after the caller's events have gone out.
 *
 * Why: with SQLite3 Multiple Ciphers a checkpoint decrypts every page it reads from the WAL and
 * encrypts it again for the database file, about as much work again as the commit that wrote it
 * (0.3-0.5 s per 25 MB on the 2-core bench machine). A download commits a window of chunks
 * (2 MB) at a time, so SQLite checkpointed every second window on the main thread, between the
 * chunks of the file being fetched; held back, that work happens once the file is ready.
 *
 * Durability is unchanged: a commit is durable once it is in the WAL (synchronous = FULL); a
 * checkpoint only copies committed pages into the main file. The WAL grows by the file's size
 * meanwhile, as it already did for the sender's one transaction holding the whole file.
 */
export async function withoutCheckpoints<T>(db: SqlDatabase, work: () => Promise<T>): Promise<T> {
  const holding = held.get(db);
  if (holding) holding.depth += 1;
  else {
    // The pragma is not a write: it must not preempt a transaction running on the connection
    // (async-transaction.ts), so it goes past the write guard.
    const pages = rawPragma(db, 'wal_autocheckpoint', true) as number;
    rawPragma(db, 'wal_autocheckpoint = 0');
    held.set(db, { depth: 1, pages });
  }
  try {
    return await work();
  } finally {
    const state = held.get(db) as Hold;
    state.depth -= 1;
    if (state.depth === 0) {
      held.delete(db);
      if (db.open) rawPragma(db, `wal_autocheckpoint = ${state.pages}`);
      setImmediate(() => checkpointNow(db));
    }
  }
}

interface Hold {
  depth: number;
  /** The connection's own setting, restored after. */
  readonly pages: number;
}

const held = new WeakMap<SqlDatabase, Hold>();

function rawPragma(db: SqlDatabase, source: string, simple = false): unknown {
  const pragma = (Object.getPrototypeOf(db) as SqlDatabase).pragma;
  return pragma.call(db, source, { simple });
}

/**
 * Skipped while the connection is closed, held again, or inside a transaction (SQLite refuses a
 * checkpoint there): the restored automatic checkpoint then runs at the next commit instead.
 */
function checkpointNow(db: SqlDatabase): void {
  if (!db.open || held.has(db) || db.inTransaction) return;
  try {
    rawPragma(db, 'wal_checkpoint(PASSIVE)');
  } catch {
    // Nothing is lost (the pages are committed in the WAL): the automatic checkpoint catches up.
  }
}
