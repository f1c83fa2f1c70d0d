import type { SqlDatabase } from './encrypted-database.js';

const queues = new WeakMap<SqlDatabase, Promise<unknown>>();

/**
 * Runs an async function inside one write transaction. better-sqlite3 transactions are
 * synchronous, but libsignal calls the stores asynchronously; receiving a message must commit
 * the ratcheted session and the plaintext together, or neither. Calls on the same connection
 * are queued so two never interleave inside one BEGIN. Any synchronous write made on the
 * connection by other code while `work` is awaiting becomes part of this transaction, so keep
 * `work` short.
 */
export function runInAsyncTransaction<T>(db: SqlDatabase, work: () => Promise<T>): Promise<T> {
  const previous = queues.get(db) ?? Promise.resolve();
  const run = previous.then(async () => {
    db.exec('BEGIN IMMEDIATE');
    try {
      const result = await work();
      db.exec('COMMIT');
      return result;
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw error;
    }
  });
  queues.set(
    db,
    run.catch(() => undefined),
  );
  return run;
}
