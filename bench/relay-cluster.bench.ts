// `npm run bench relay-cluster`: 2,000 devices, each with a WebSocket open, send envelopes to one
// another through real relay processes, in three set-ups in the same run: one node on SQLite,
// one node on PostgreSQL, three nodes on PostgreSQL (a device's socket and its sends on different
// nodes, so most deliveries cross nodes through LISTEN/NOTIFY). Measures envelopes/s and the
// send→delivered latency. PostgreSQL is PMSG_TEST_POSTGRES_URL, or a private cluster started for
// the run (build/scripts/private-postgres.mjs).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { WebSocket } from 'ws';
import { silentLogger } from '../server/log.js';
import { startRelay } from '../server/relay.js';
import { issueEnrolmentCode } from '../server/admin.js';
import type { RelayStorage } from '../server/storage/relay-storage.js';
import type { ServerFrame } from '../shared/protocol/index.js';
import { b64, enrolBody } from './enrol-body.js';
import { figure } from './figures.js';

const devices = Number(process.env.PMSG_BENCH_DEVICES ?? 2000);
// For profiling one set-up: PMSG_BENCH_SETUPS=postgres-1 (or sqlite, postgres-3; default all).
const setups = (process.env.PMSG_BENCH_SETUPS ?? 'sqlite,postgres-1,postgres-3').split(',');
const envelopesPerDevice = 5;
const envelopeBytes = 512;
const deadlineMs = 120_000;
const self = fileURLToPath(import.meta.url);
const root = path.resolve(path.dirname(self), '..');

interface Setup {
  name: string;
  nodes: number;
  store: { dataDir: string } | { databaseUrl: string };
}

async function startNode(store: Setup['store']): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [...process.execArgv, self, '--serve-node', JSON.stringify(store)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const line = await new Promise<string>((resolve) =>
    createInterface({ input: child.stdout! }).once('line', resolve),
  );
  return { child, url: (JSON.parse(line) as { url: string }).url };
}

async function stopNode(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });
function callOnce(
  method: string,
  url: string,
  token: string | null,
  body: string,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    };
    if (token) headers.authorization = `Bearer ${token}`;
    const req = request(url, { method, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        res.statusCode === 200 || res.statusCode === 201
          ? resolve(Buffer.concat(chunks).toString())
          : reject(Object.assign(new Error(`${method} ${url}: ${res.statusCode}`), { http: true })),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * A request retried after a connection reset (a kept-alive socket closed by the relay as it was
 * reused, or a full listen backlog): enrolment and sends are both safe to repeat (§5 duplicates).
 */
async function call(method: string, url: string, token: string | null, body = ''): Promise<string> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await callOnce(method, url, token, body);
    } catch (error) {
      if ((error as { http?: boolean }).http || attempt >= 5) throw error;
      await new Promise((r) => setTimeout(r, 50 * (attempt + 1)));
    }
  }
}

/** Runs async work over items with at most `width` at a time. */
async function pool<T, R>(items: T[], width: number, work: (item: T, i: number) => Promise<R>) {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await work(items[i]!, i);
      }
    }),
  );
  return results;
}

async function openStorage(store: Setup['store']): Promise<RelayStorage> {
  if ('dataDir' in store) {
    const { SqliteRelayStorage } = await import('../server/storage/sqlite-relay-storage.js');
    return new SqliteRelayStorage(store.dataDir);
  }
  const { PostgresRelayStorage } = await import('../server/storage/postgres-relay-storage.js');
  return PostgresRelayStorage.open(store.databaseUrl);
}

async function runSetup(setup: Setup) {
  console.error(`setting up: ${setup.name}, ${setup.nodes} node(s)`);
  const nodes = await Promise.all(
    Array.from({ length: setup.nodes }, () => startNode(setup.store)),
  );
  try {
    const admin = await openStorage(setup.store);
    const codes = await pool(
      Array.from({ length: devices }),
      8,
      async (_x, i) =>
        (await issueEnrolmentCode(admin, { displayName: `Staff ${i}`, role: 'clinician' })).code,
    );
    await admin.close();
    const sentAt = new Map<string, number>();
    const latencies: number[] = [];
    const total = devices * envelopesPerDevice;
    let delivered = 0;
    let allDelivered!: () => void;
    const done = new Promise<void>((resolve) => (allDelivered = resolve));
    // Device i listens on node i % n and sends through node (i + 1) % n.
    const enrolled = await pool(codes, 32, async (code, i) => {
      const listenOn = nodes[i % nodes.length]!.url;
      const body = enrolBody(code);
      const json = JSON.parse(
        await call('POST', `${listenOn}/v1/enrol`, null, JSON.stringify(body)),
      ) as {
        accountId: string;
        token: string;
      };
      const onMessage = (socket: WebSocket) => (data: unknown) => {
        const frame = JSON.parse(String(data)) as ServerFrame;
        if (frame.type !== 'envelope') return;
        const started = sentAt.get(
          `${frame.envelope.senderAccountId}/${frame.envelope.clientMessageId}`,
        );
        if (started !== undefined) latencies.push(performance.now() - started);
        socket.send(JSON.stringify({ type: 'ack', ids: [frame.envelope.id] }));
        delivered += 1;
        if (delivered === total) allDelivered();
      };
      // Thousands of connects at once can overflow a listen backlog here: retry a reset one.
      let socket: WebSocket | null = null;
      for (let attempt = 0; socket === null; attempt += 1) {
        const candidate = new WebSocket(`${listenOn.replace('http', 'ws')}/v1/websocket`, {
          headers: { authorization: `Bearer ${json.token}` },
        });
        candidate.on('message', onMessage(candidate));
        const opened = await new Promise<boolean>((resolve) => {
          candidate.once('open', () => resolve(true));
          candidate.once('error', () => resolve(false));
        });
        if (opened) socket = candidate;
        else if (attempt > 5) throw new Error('WebSocket would not open');
        else await new Promise((r) => setTimeout(r, 200));
      }
      return {
        ...json,
        registrationId: body.registrationId,
        socket,
        sendVia: nodes[(i + 1) % nodes.length]!.url,
      };
    });
    const content = b64(new Uint8Array(envelopeBytes).map((_, i) => (i * 31) & 0xff));
    const started = performance.now();
    let refused = 0;
    await pool(enrolled, 256, async (sender, index) => {
      for (let n = 0; n < envelopesPerDevice; n += 1) {
        const recipient = enrolled[(index + 1 + ((n * 7919) % (devices - 1))) % devices]!;
        const clientMessageId = `m${index}-${n}`;
        sentAt.set(`${sender.accountId}/${clientMessageId}`, performance.now());
        const body = JSON.stringify({
          clientMessageId,
          messages: [{ deviceId: 1, registrationId: recipient.registrationId, type: 2, content }],
        });
        await call(
          'PUT',
          `${sender.sendVia}/v1/messages/${recipient.accountId}`,
          sender.token,
          body,
        ).catch(() => (refused += 1));
      }
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([done, new Promise((resolve) => (timer = setTimeout(resolve, deadlineMs)))]);
    clearTimeout(timer);
    const elapsed = performance.now() - started;
    for (const device of enrolled) device.socket.close();
    const sorted = latencies.sort((a, b) => a - b);
    const at = (p: number) =>
      Number(
        (sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN).toFixed(1),
      );
    return {
      setup: setup.name,
      nodes: setup.nodes,
      delivered,
      refused,
      perSecond: Math.round(delivered / (elapsed / 1000)),
      p50: at(0.5),
      p99: at(0.99),
    };
  } finally {
    await Promise.all(nodes.map((n) => stopNode(n.child)));
  }
}

async function createDatabase(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `pmsg_bench_${randomBytes(4).toString('hex')}`;
  const run = async (sql: string) => {
    const client = new pg.Client(adminUrl);
    await client.connect();
    await client.query(sql).finally(() => client.end());
  };
  await run(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

async function runBenchmark() {
  let stopPostgres = () => undefined as void;
  let adminUrl = process.env.PMSG_TEST_POSTGRES_URL;
  if (!adminUrl) {
    const helper = path.join(root, 'build/scripts/private-postgres.mjs');
    const { startPrivatePostgres } = (await import(helper)) as {
      startPrivatePostgres(): Promise<{ url: string; stop(): void }>;
    };
    const cluster = await startPrivatePostgres();
    adminUrl = cluster.url;
    stopPostgres = () => cluster.stop();
  }
  const results = [];
  try {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'pmsg-cluster-bench-'));
    try {
      if (setups.includes('sqlite')) {
        results.push(await runSetup({ name: 'sqlite', nodes: 1, store: { dataDir } }));
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
    for (const nodes of [1, 3].filter((n) => setups.includes(`postgres-${n}`))) {
      const database = await createDatabase(adminUrl);
      try {
        results.push(
          await runSetup({ name: 'postgres', nodes, store: { databaseUrl: database.url } }),
        );
      } finally {
        await database.drop();
      }
    }
  } finally {
    agent.destroy();
    stopPostgres();
  }
  console.log(
    `devices: ${devices}, envelopes: ${devices * envelopesPerDevice} of ${envelopeBytes} bytes`,
  );
  for (const r of results) {
    console.log(
      `${`${r.setup}, ${r.nodes} node${r.nodes > 1 ? 's' : ''}`.padEnd(20)}: ${r.perSecond} envelopes/s, send->delivered p50 ${r.p50} ms, p99 ${r.p99} ms (${r.delivered} delivered, ${r.refused} refused)`,
    );
  }
  for (const r of results) {
    const setup = `${r.setup}, ${r.nodes} node${r.nodes > 1 ? 's' : ''}, ${devices} devices`;
    figure({ name: `relay cluster throughput, ${setup}`, value: r.perSecond, unit: 'envelopes/s' });
    figure({ name: `relay cluster send->delivered p50, ${setup}`, value: r.p50, unit: 'ms' });
    figure({ name: `relay cluster send->delivered p99, ${setup}`, value: r.p99, unit: 'ms' });
  }
  console.log(JSON.stringify({ bench: 'relay-cluster', devices, results }));
}

if (process.argv[2] === '--serve-node') {
  const store = JSON.parse(process.argv[3]!) as Setup['store'];
  const relay = await startRelay({
    dataDir: 'dataDir' in store ? store.dataDir : '',
    ...('databaseUrl' in store ? { databaseUrl: store.databaseUrl } : {}),
    port: 0,
    logger: silentLogger,
    limits: {
      requestsPerSecond: 1e6,
      requestBurst: 1e6,
      anonymousBurst: 1e6,
      anonymousPerSecond: 1e6,
      maxPreAuthPerAddress: 1e5,
      maxPreAuthTotal: 1e5,
    },
  });
  console.log(JSON.stringify({ url: relay.url }));
  process.on('SIGTERM', () => void relay.close().then(() => process.exit(0)));
} else {
  await runBenchmark();
}
