import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeCodes } from '../../shared/protocol/index.js';
import { call, enrolWithCode, envelopeFor, FrameLog, type EnrolledDevice } from './relay-client.js';
import { postgresMigrations } from '../../server/storage/postgres-migrations.js';
import { createTestDatabase, postgresUrl } from './relay-backends.js';
import { generateDeviceKeys } from './signal-keys.js';
import { enrolCode, relayCli, startRelayNode, type RelayNode } from './relay-node.js';

// Several `pmsg relay serve --database` processes on one PostgreSQL database.

if (!postgresUrl) {
  process.stderr.write('PMSG_TEST_POSTGRES_URL is not set: the relay cluster tests are skipped.\n');
}

describe.skipIf(!postgresUrl)('relay nodes on one PostgreSQL database', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  const nodes: RelayNode[] = [];
  let node1: RelayNode;
  let node2: RelayNode;
  const enrol = async (name: string, node = node1): Promise<EnrolledDevice> => {
    const code = await enrolCode(database.url, name);
    const keys = generateDeviceKeys();
    try {
      return await enrolWithCode(node.url, code, keys);
    } catch {
      // The admin command takes seconds here, longer than the relay keeps an idle connection:
      // fetch may reuse one just as it closes. The same enrolment again is answered as before.
      return enrolWithCode(node.url, code, keys);
    }
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    node1 = await startRelayNode(database.url);
    node2 = await startRelayNode(database.url);
    nodes.push(node1, node2);
  });
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    await database?.drop();
  });

  it('admin commands take exactly one of --data and --database, and refuse a database without a relay', async () => {
    expect((await relayCli(['list', '--data', '/tmp', '--database', database.url])).status).toBe(2);
    expect((await relayCli(['list'])).status).toBe(2);
    const notUrl = await relayCli(['list', '--database', 'mysql://x']);
    expect(notUrl.status).toBe(2);
    expect(notUrl.stderr).toMatch(/postgres:\/\//);
    const empty = await createTestDatabase();
    try {
      const r = await relayCli(['list', '--database', empty.url]);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/holds no relay/);
    } finally {
      await empty.drop();
    }
    const listed = await relayCli(['list', '--database', database.url]);
    expect(listed.status).toBe(0);
    expect(JSON.parse(listed.stdout)).toHaveProperty('accounts');
  });

  it('an attachment uploaded through node 1 is fetched byte-equal through node 2, and deleted for both once every recipient has it', async () => {
    const alice = await enrol('Alice A');
    const bob = await enrol('Bob A', node2);
    const carol = await enrol('Carol A');
    const chunks = [randomBytes(512 * 1024 + 16), randomBytes(70_000)];
    const created = await call(node1.url, 'POST', '/v1/attachments', {
      token: alice.token,
      body: { size: 600_000, chunkCount: 2, recipients: [bob.accountId, carol.accountId] },
    });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    const id = (created.json as { attachmentId: string }).attachmentId;
    // The chunks go through different nodes: each node writes into the one database.
    for (const [index, data] of chunks.entries()) {
      const node = index === 0 ? node1 : node2;
      const put = await call(node.url, 'PUT', `/v1/attachments/${id}/chunks/${index}`, {
        token: alice.token,
        body: { data: data.toString('base64') },
      });
      expect(put.status, JSON.stringify(put.json)).toBe(200);
    }
    const finished = await call(node1.url, 'POST', `/v1/attachments/${id}/finish`, {
      token: alice.token,
    });
    expect(finished.status, JSON.stringify(finished.json)).toBe(200);
    for (const [reader, node] of [
      [bob, node2],
      [carol, node1],
    ] as const) {
      for (const [index, data] of chunks.entries()) {
        const got = await call(node.url, 'GET', `/v1/attachments/${id}/chunks/${index}`, {
          token: reader.token,
        });
        expect(got.status, JSON.stringify(got.json)).toBe(200);
        expect(Buffer.from((got.json as { data: string }).data, 'base64').equals(data)).toBe(true);
      }
    }
    // Both recipients acknowledge at once through different nodes: exactly one deletes it.
    const acks = await Promise.all([
      call(node2.url, 'POST', `/v1/attachments/${id}/fetched`, { token: bob.token }),
      call(node1.url, 'POST', `/v1/attachments/${id}/fetched`, { token: carol.token }),
    ]);
    expect(acks.map((a) => a.status)).toEqual([200, 200]);
    expect(acks.map((a) => (a.json as { deleted: boolean }).deleted).sort()).toEqual([false, true]);
    for (const node of [node1, node2]) {
      const gone = await call(node.url, 'GET', `/v1/attachments/${id}`, { token: alice.token });
      expect(gone.status).toBe(404);
    }
    const db = new pg.Client(database.url);
    await db.connect();
    try {
      const left = await db.query<{ blobs: string; chunks: string; usage: string }>(
        `SELECT (SELECT COUNT(*) FROM attachment_blobs) AS blobs,
                (SELECT COUNT(*) FROM blob_chunks) AS chunks,
                (SELECT COUNT(*) FROM blob_usage) AS usage`,
      );
      expect(left.rows[0]).toEqual({ blobs: '0', chunks: '0', usage: '0' });
    } finally {
      await db.end();
    }
  });

  it("backup, restore and check take --database: backup and restore name PostgreSQL's tools (exit 2), check reads the schema", async () => {
    for (const args of [
      ['backup', '--database', database.url, '--out', '/tmp/pmsg-never-written.sqlite'],
      ['restore', '--database', database.url, '--from', '/tmp/pmsg-never-read.sqlite'],
    ]) {
      const refused = await relayCli(args);
      expect(refused.status, refused.stderr).toBe(2);
      expect(refused.stderr).toMatch(/pg_dump/);
      expect(refused.stderr).toMatch(/pg_basebackup|base backups/);
      expect(refused.stderr).toMatch(/docs\/deployment\.md/);
      expect(refused.stdout).toBe('');
    }
    expect(existsSync('/tmp/pmsg-never-written.sqlite')).toBe(false);

    await enrol('Dave C'); // so the counts have something to count
    const checked = await relayCli(['check', '--database', database.url]);
    expect(checked.status, checked.stderr).toBe(0);
    const report = JSON.parse(checked.stdout) as { ok: boolean; checks: Record<string, unknown>[] };
    expect(report.ok).toBe(true);
    expect(report.checks).toHaveLength(1);
    expect(report.checks[0]).toMatchObject({
      name: 'database',
      ok: true,
      schemaVersion: postgresMigrations.length,
    });
    expect(report.checks[0]?.devices).toBeGreaterThan(0);
    // The report names the database, never its password.
    expect(checked.stdout).not.toMatch(/password|:\/\//i);

    // With a port, the node itself is checked too.
    const port = new URL(node1.url).port;
    const withPort = await relayCli(['check', '--database', database.url, '--port', port]);
    expect(withPort.status, withPort.stdout).toBe(0);
    expect((JSON.parse(withPort.stdout) as typeof report).checks.map((c) => c.name)).toEqual([
      'database',
      'port',
    ]);

    const empty = await createTestDatabase();
    try {
      const none = await relayCli(['check', '--database', empty.url]);
      expect(none.status).toBe(1);
      expect(JSON.parse(none.stdout)).toMatchObject({ ok: false });
      expect(none.stdout).toMatch(/holds no relay/);
      const db = new pg.Client(empty.url);
      await db.connect();
      try {
        await db.query('CREATE TABLE relay_schema (version INTEGER NOT NULL)');
        await db.query('INSERT INTO relay_schema VALUES ($1)', [postgresMigrations.length + 1]);
      } finally {
        await db.end();
      }
      const newer = await relayCli(['check', '--database', empty.url]);
      expect(newer.status).toBe(1);
      expect(newer.stdout).toMatch(/newer than this relay/);
    } finally {
      await empty.drop();
    }

    const unreachable = new URL(database.url);
    unreachable.port = '1';
    const down = await relayCli(['check', '--database', unreachable.toString()]);
    expect(down.status).toBe(1);
    expect(down.stdout).toMatch(/cannot be reached/);

    const both = await relayCli(['check', '--database', database.url, '--data', '/tmp']);
    expect(both.status).toBe(2);
    const help = await relayCli(['--help']);
    expect(help.stdout).toMatch(/check {3}--data <dir> \| --database <url>/);
    expect(help.stdout).toMatch(/pg_basebackup/);
  });

  it('enrol --csv takes --database: every row gets a code and a letter, and the codes enrol through any node', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pmsg-pg-csv-'));
    try {
      const csv = path.join(dir, 'staff.csv');
      writeFileSync(csv, 'name,role\nDr E Csv,clinician\nNurse F Csv,nurse\n');
      const letters = path.join(dir, 'letters');
      const r = await relayCli([
        'enrol',
        '--database',
        database.url,
        '--csv',
        csv,
        '--letters',
        letters,
        '--relay-url',
        node2.url,
      ]);
      expect(r.status, r.stderr).toBe(0);
      const people = (JSON.parse(r.stdout) as { people: { displayName: string; code: string }[] })
        .people;
      expect(people.map((p) => p.displayName)).toEqual(['Dr E Csv', 'Nurse F Csv']);
      expect(readdirSync(letters)).toHaveLength(2);
      const enrolled = await enrolWithCode(node2.url, people[1]!.code, generateDeviceKeys());
      expect(enrolled.token).toBeTruthy();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a device on node 1 receives at once what is sent through node 2', async () => {
    const alice = await enrol('Alice', node2);
    const bob = await enrol('Bob');
    const log = await FrameLog.open(node1.url, bob.token);
    try {
      await log.until((l) => l.has('queue_empty'));
      for (let i = 0; i < 5; i += 1) {
        const started = performance.now();
        const sent = await call(node2.url, 'PUT', `/v1/messages/${bob.accountId}`, {
          token: alice.token,
          body: { clientMessageId: `cross-${i}`, messages: [envelopeFor(bob, `via node 2 #${i}`)] },
        });
        expect(sent.status).toBe(200);
        // Node 1 has no timer that reads queues: only node 2's NOTIFY can bring this.
        await log.until((l) => l.envelopes().length === i + 1, 2000);
        expect(performance.now() - started).toBeLessThan(2000);
      }
      expect(log.envelopes().map((e) => Buffer.from(e.content, 'base64').toString())).toEqual(
        [0, 1, 2, 3, 4].map((i) => `via node 2 #${i}`),
      );
    } finally {
      log.close();
    }
  });

  it('a revocation made by the admin command closes sockets on every node within a second', async () => {
    const carol = await enrol('Carol');
    const dave = await enrol('Dave');
    const onNode1 = await FrameLog.open(node1.url, carol.token);
    const onNode2 = await FrameLog.open(node2.url, dave.token);
    await onNode1.until((l) => l.has('ready'));
    await onNode2.until((l) => l.has('ready'));
    const closedAt = new Map<FrameLog, number>();
    for (const log of [onNode1, onNode2]) {
      log.socket.once('close', () => closedAt.set(log, Date.now()));
    }
    const noWipe = await relayCli([
      'revoke',
      '--database',
      database.url,
      '--account',
      carol.accountId,
      '--no-wipe',
    ]);
    const wipe = await relayCli([
      'revoke',
      '--database',
      database.url,
      '--account',
      dave.accountId,
    ]);
    expect(noWipe.status).toBe(0);
    expect(wipe.status).toBe(0);
    await onNode1.until((l) => l.closeCode !== null, 1000);
    await onNode2.until((l) => l.closeCode !== null, 1000);
    expect(onNode1.closeCode).toBe(closeCodes.revoked);
    expect(onNode2.closeCode).toBe(closeCodes.wipe);
    expect(onNode2.has('wipe')).toBe(true);
    // The revocation commits before the command exits; its sockets close within a second of that.
    expect(closedAt.get(onNode1)! - noWipe.exitedAt).toBeLessThan(1000);
    expect(closedAt.get(onNode2)! - wipe.exitedAt).toBeLessThan(1000);
  });

  it('the same device on two nodes: the older socket is replaced (4000), as on one node', async () => {
    const alice = await enrol('Alice Two');
    const erin = await enrol('Erin');
    const first = await FrameLog.open(node1.url, erin.token);
    await first.until((l) => l.has('ready'));
    const second = await FrameLog.open(node2.url, erin.token);
    await second.until((l) => l.has('ready'));
    await first.until((l) => l.closeCode !== null, 2000);
    expect(first.closeCode).toBe(closeCodes.replaced);
    const sent = await call(node1.url, 'PUT', `/v1/messages/${erin.accountId}`, {
      token: alice.token,
      body: { clientMessageId: 'to-newest', messages: [envelopeFor(erin, 'newest socket')] },
    });
    expect(sent.status).toBe(200);
    await second.until((l) => l.envelopes().length === 1, 2000);
    expect(second.closeCode).toBeNull();

    // Both at once: exactly one of them stays.
    second.close();
    const both = await Promise.all([
      FrameLog.open(node1.url, erin.token),
      FrameLog.open(node2.url, erin.token),
    ]);
    await Promise.all(both.map((l) => l.until((x) => x.has('ready'))));
    await new Promise((r) => setTimeout(r, 1500));
    expect(both.filter((l) => l.closeCode === null)).toHaveLength(1);
    expect(both.find((l) => l.closeCode !== null)?.closeCode).toBe(closeCodes.replaced);
    for (const l of both) l.close();
  });

  it('node 1 killed (SIGKILL) in the middle of a burst: clients move to node 2 and nothing is lost or queued twice', async () => {
    const node3 = await startRelayNode(database.url);
    nodes.push(node3);
    const sender = await enrol('Burst Sender', node3);
    const receiver = await enrol('Burst Receiver', node3);
    const total = 300;
    // The receiver: on node 1, then node 2 once node 1 is gone; acks what it gets.
    const received = new Map<string, Set<string>>();
    let deliveries = 0;
    const listen = async (url: string) => {
      const log = await FrameLog.open(url, receiver.token);
      let seen = 0;
      log.socket.on('message', () => {
        const fresh = log.envelopes().slice(seen);
        seen += fresh.length;
        for (const e of fresh) {
          deliveries += 1;
          const ids = received.get(e.clientMessageId) ?? new Set<string>();
          ids.add(e.id);
          received.set(e.clientMessageId, ids);
        }
        if (fresh.length > 0) log.ack(fresh.map((e) => e.id));
      });
      return log;
    };
    let receiving = await listen(node1.url);
    const moved = new Promise<void>((resolve) => {
      receiving.socket.once('close', () => {
        void listen(node3.url).then((log) => {
          receiving = log;
          resolve();
        });
      });
    });
    // The sender: four streams through node 1; a failed request is retried through node 3 with
    // the same clientMessageId, as the app's outbox does.
    let accepted = 0;
    let killed = false;
    const sendOne = async (i: number) => {
      const body = {
        clientMessageId: `burst-${i}`,
        messages: [envelopeFor(receiver, `burst message ${i}`)],
      };
      for (let attempt = 0; ; attempt += 1) {
        const url = killed || attempt > 0 ? node3.url : node1.url;
        try {
          const r = await call(url, 'PUT', `/v1/messages/${receiver.accountId}`, {
            token: sender.token,
            body,
          });
          if (r.status === 200) break;
        } catch {
          // Connection refused or reset: node 1 is gone.
        }
        if (attempt > 20) throw new Error(`burst-${i} never accepted`);
        await new Promise((r) => setTimeout(r, 50));
      }
      accepted += 1;
      if (accepted === total / 2 && !killed) {
        killed = true;
        node1.child.kill('SIGKILL');
      }
    };
    let next = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < total) await sendOne(next++);
      }),
    );
    expect(killed).toBe(true);
    expect(await node1.exited).toBeNull();
    await moved;
    await receiving.until(() => received.size === total, 15_000);
    // Every message arrived, each under one envelope id (a redelivery after the kill repeats
    // the same id, which the app drops); none was queued twice by the retried sends.
    expect([...received.keys()].sort()).toEqual(
      Array.from({ length: total }, (_, i) => `burst-${i}`).sort(),
    );
    expect([...received.values()].every((ids) => ids.size === 1)).toBe(true);
    expect(deliveries).toBeGreaterThanOrEqual(total);
    // And nothing is left queued once acked.
    await new Promise((r) => setTimeout(r, 300));
    const listed = JSON.parse((await relayCli(['list', '--database', database.url])).stdout) as {
      accounts: { accountId: string; devices: { queued: number }[] }[];
    };
    const queue = listed.accounts.find((a) => a.accountId === receiver.accountId)?.devices[0];
    expect(queue?.queued).toBe(0);
    receiving.close();
  }, 180_000);
});
