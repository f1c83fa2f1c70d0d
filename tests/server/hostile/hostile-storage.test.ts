import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, expect, it } from 'vitest';
import { closeCodes } from '../../../shared/protocol/index.js';
import pg from 'pg';
import type { PostgresRelayStorage } from '../../../server/storage/postgres-relay-storage.js';
import type { SqliteRelayStorage } from '../../../server/storage/sqlite-relay-storage.js';
import { describeBackends, type RelayBackend } from '../relay-backends.js';
import type { TestRelay } from '../test-relay.js';
import { call, enrolNew, envelopeFor, FrameLog } from '../relay-client.js';
import { startTestRelay } from '../test-relay.js';
import {
  enrolPair,
  expectRelayServes,
  startHostileRelay,
  type HostileRelay,
} from './hostile-relay.js';

// A busy or full disk: the relay answers 503 with Retry-After and keeps serving what it can. On
// SQLite another process holds the write lock and the page count is capped; on PostgreSQL
// another session locks the tables and a trigger fails inserts with disk_full (SQLSTATE 53100),
// the error PostgreSQL gives when its disk is full.

const root = path.resolve(import.meta.dirname, '../../..');
const relays: HostileRelay[] = [];
afterAll(async () => {
  await Promise.all(relays.map((r) => r.stop()));
});

/** Another process holding the relay database's write lock until released. */
async function holdWriteLock(file: string): Promise<() => Promise<void>> {
  const code = `
    const Database = require('better-sqlite3-multiple-ciphers');
    const db = new Database(process.argv[1]);
    db.exec('BEGIN IMMEDIATE');
    process.stdout.write('locked\\n');
    process.stdin.on('end', () => { db.exec('ROLLBACK'); db.close(); process.exit(0); });
    process.stdin.resume();
  `;
  const child = spawn(process.execPath, ['-e', code, file], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', () => resolve());
    void exited.then(() => reject(new Error('lock holder exited')));
  });
  return async () => {
    child.stdin!.end();
    await exited;
  };
}

/** Another session holding the locks that sends and connections need (reads still pass). */
async function holdPostgresLocks(url: string): Promise<() => Promise<void>> {
  const client = new pg.Client(url);
  await client.connect();
  await client.query('BEGIN');
  await client.query('LOCK TABLE envelopes, devices IN EXCLUSIVE MODE');
  return async () => {
    await client.query('ROLLBACK');
    await client.end();
  };
}

function holdLock(backend: RelayBackend, relay: HostileRelay): Promise<() => Promise<void>> {
  return backend === 'postgres'
    ? holdPostgresLocks(relay.databaseUrl!)
    : holdWriteLock(path.join(relay.dataDir, 'relay.sqlite'));
}

/** Makes the store refuse to grow; returns how to give it space again. */
async function fillStore(backend: RelayBackend, t: TestRelay): Promise<() => Promise<void>> {
  if (backend === 'postgres') {
    const pool = (t.relay.storage as PostgresRelayStorage).pool;
    await pool.query(`
      CREATE FUNCTION disk_full() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'could not extend file' USING ERRCODE = 'disk_full'; END $$;
      CREATE TRIGGER disk_full BEFORE INSERT ON envelopes FOR EACH ROW EXECUTE FUNCTION disk_full();
    `);
    return async () => {
      await pool.query('DROP TRIGGER disk_full ON envelopes; DROP FUNCTION disk_full()');
    };
  }
  const db = (t.relay.storage as SqliteRelayStorage).db;
  const pages = db.pragma('page_count', { simple: true }) as number;
  db.pragma(`max_page_count = ${pages}`);
  return async () => {
    db.pragma('max_page_count = 1073741823');
  };
}

describeBackends('a busy or full disk', (backend) => {
  it('while another process holds the write lock: health stays fast, sends get 503 + Retry-After, a connecting device gets 1011; all recover after', async () => {
    const relay = await startHostileRelay({ backend, codes: 2, lockWaitMs: 600 });
    relays.push(relay);
    const [alice, bob] = await enrolPair(relay);
    const release = await holdLock(backend, relay);
    try {
      const send = call(relay.url, 'PUT', `/v1/messages/${bob.accountId}`, {
        token: alice.token,
        body: { clientMessageId: 'during-lock', messages: [envelopeFor(bob, 'locked')] },
      });
      const latencies: number[] = [];
      for (let i = 0; i < 5; i += 1) {
        const started = performance.now();
        expect((await call(relay.url, 'GET', '/v1/health')).status).toBe(200);
        latencies.push(performance.now() - started);
        await new Promise((r) => setTimeout(r, 50));
      }
      // The old relay blocked its event loop for the 5 s busy timeout here.
      expect(Math.max(...latencies)).toBeLessThan(1000);
      const refused = await send;
      expect(refused.status).toBe(503);
      expect(refused.json.error.code).toBe('storage_unavailable');
      expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);

      // Connecting writes last_seen_at: that failing must close this socket, not the relay.
      const log = await FrameLog.open(relay.url, bob.token);
      await log.until((l) => l.closeCode !== null, 5000);
      expect(log.closeCode).toBe(closeCodes.internalError);
      expect(relay.exitCode).toBeUndefined();
      expect(relay.logs.some((l) => l.event === 'ws_accept_failed' && l.kind === 'busy')).toBe(
        true,
      );
      expect(relay.logs.some((l) => l.event === 'storage_unavailable')).toBe(true);
    } finally {
      await release();
    }
    await expectRelayServes(relay, alice, bob, 'the write lock');
  });

  it('a full database answers 503 + Retry-After and recovers when space returns', async () => {
    const t = await startTestRelay({}, backend);
    try {
      const alice = await enrolNew(t.relay, 'Alice');
      const bob = await enrolNew(t.relay, 'Bob');
      const giveSpace = await fillStore(backend, t);
      const big = 'x'.repeat(40_000);
      let refused;
      for (let i = 0; i < 20 && refused === undefined; i += 1) {
        const r = await call(t.relay.url, 'PUT', `/v1/messages/${bob.accountId}`, {
          token: alice.token,
          body: { clientMessageId: `full-${i}`, messages: [envelopeFor(bob, big)] },
        });
        if (r.status !== 200) refused = r;
      }
      expect(refused?.status).toBe(503);
      expect(refused?.json.error.code).toBe('storage_unavailable');
      expect(refused?.headers.get('retry-after')).toMatch(/^\d+$/);
      expect((await call(t.relay.url, 'GET', '/v1/health')).status).toBe(200);

      await giveSpace();
      const after = await call(t.relay.url, 'PUT', `/v1/messages/${bob.accountId}`, {
        token: alice.token,
        body: { clientMessageId: 'after-full', messages: [envelopeFor(bob, 'space again')] },
      });
      expect(after.status).toBe(200);
      const log = await FrameLog.open(t.relay.url, bob.token);
      await log.until((l) =>
        l.envelopes().some((e) => Buffer.from(e.content, 'base64').toString() === 'space again'),
      );
      log.close();
    } finally {
      await t.stop();
    }
  });
});
