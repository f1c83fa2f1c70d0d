import type Database from 'better-sqlite3-multiple-ciphers';
import type pg from 'pg';
import { queuedChannel } from '../storage/postgres-enqueue.js';

/**
 * The few SQL operations the role store needs, on either backend, so that its rules are written
 * once. Statements use `?` placeholders; the PostgreSQL runner numbers them.
 */
export interface RoleSql {
  readonly backend: 'sqlite' | 'postgres';
  all<T>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  run(sql: string, params?: readonly unknown[]): Promise<number>;
  /** Runs work in one write transaction; rolls back when it throws. */
  transaction<T>(work: (sql: RoleSql) => Promise<T>): Promise<T>;
  /** Tells every relay node that envelopes were queued for these devices (PostgreSQL NOTIFY). */
  announceQueued(devicePks: readonly number[]): Promise<void>;
}

/**
 * SQLite: better-sqlite3 is synchronous, so a transaction is BEGIN IMMEDIATE … COMMIT around
 * work whose awaits resolve at once (microtasks only): nothing else on the connection can run in
 * between, as the store's group commit waits for setImmediate.
 */
export function sqliteRoleSql(db: Database.Database): RoleSql {
  const runner: RoleSql = {
    backend: 'sqlite',
    all: async <T>(sql: string, params: readonly unknown[] = []) =>
      db.prepare(sql).all(...params) as T[],
    run: async (sql, params = []) => db.prepare(sql).run(...params).changes,
    async transaction(work) {
      if (db.inTransaction) return work(runner);
      db.exec('BEGIN IMMEDIATE');
      try {
        const result = await work(runner);
        db.exec('COMMIT');
        return result;
      } catch (error) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw error;
      }
    },
    announceQueued: async () => undefined,
  };
  return runner;
}

const numbered = (sql: string) => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${(n += 1)}`);
};

function clientRunner(client: pg.PoolClient | pg.Pool, inTx: boolean): RoleSql {
  const runner: RoleSql = {
    backend: 'postgres',
    all: async <T>(sql: string, params: readonly unknown[] = []) =>
      (await client.query(numbered(sql), [...params])).rows as T[],
    run: async (sql, params = []) => (await client.query(numbered(sql), [...params])).rowCount ?? 0,
    async transaction(work) {
      if (inTx) return work(runner);
      const pool = client as pg.Pool;
      const tx = await pool.connect();
      try {
        await tx.query('BEGIN');
        const result = await work(clientRunner(tx, true));
        await tx.query('COMMIT');
        return result;
      } catch (error) {
        await tx.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        tx.release();
      }
    },
    async announceQueued(devicePks) {
      if (devicePks.length === 0) return;
      // "roles" is no node's id, so every node (this one too) reads those queues.
      await client.query('SELECT pg_notify($1, $2)', [
        queuedChannel,
        `roles:${devicePks.join(',')}`,
      ]);
    },
  };
  return runner;
}

export function postgresRoleSql(pool: pg.Pool): RoleSql {
  return clientRunner(pool, false);
}
