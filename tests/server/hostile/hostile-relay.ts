import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { expect } from 'vitest';
import type { RelayLimits } from '../../../server/relay-services.js';
import { createTestDatabase, type RelayBackend } from '../relay-backends.js';
import {
  call,
  enrolWithCode,
  envelopeFor,
  FrameLog,
  type EnrolledDevice,
} from '../relay-client.js';

const root = path.resolve(import.meta.dirname, '../../..');
const childScript = path.join(import.meta.dirname, 'relay-child.ts');

export interface HostileRelay {
  child: ChildProcess;
  url: string;
  port: number;
  dataDir: string;
  /** The PostgreSQL database, on that backend. */
  databaseUrl: string | null;
  codes: string[];
  /** JSON log lines the relay wrote to stderr so far. */
  logs: Record<string, unknown>[];
  /** Set once the process exits: a hostile client must never cause this. */
  exitCode: number | null | undefined;
  stop(): Promise<void>;
}

/** A real relay process on a free port (listening on every loopback address). */
export async function startHostileRelay(
  config: {
    limits?: Partial<RelayLimits>;
    /** How long a write waits for another process's lock (SQLite busy retry, PostgreSQL lock_timeout). */
    lockWaitMs?: number;
    codes?: number;
    backend?: RelayBackend;
  } = {},
): Promise<HostileRelay> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'pmsg-hostile-'));
  const database = config.backend === 'postgres' ? await createTestDatabase() : null;
  // node --import tsx rather than the tsx wrapper: the exit of this very process is the signal.
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      childScript,
      dataDir,
      JSON.stringify({ ...config, databaseUrl: database?.url }),
    ],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const logs: Record<string, unknown>[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => {
    try {
      logs.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      logs.push({ event: 'stderr', line });
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const first = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('relay did not start in 30 s')), 30_000);
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve(line);
    });
    void exited.then((code) => reject(new Error(`relay exited early with ${code}`)));
  });
  const { url, codes } = JSON.parse(first) as { url: string; codes: string[] };
  const relay: HostileRelay = {
    child,
    url,
    port: Number(new URL(url).port),
    dataDir,
    databaseUrl: database?.url ?? null,
    codes,
    logs,
    exitCode: undefined,
    async stop() {
      if (relay.exitCode === undefined) child.kill('SIGTERM');
      await exited;
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  void exited.then((code) => {
    relay.exitCode = code;
  });
  return relay;
}

/** The relay is alive, answers health, and a message still goes from one device to another. */
export async function expectRelayServes(
  relay: HostileRelay,
  alice: EnrolledDevice,
  bob: EnrolledDevice,
  label: string,
): Promise<void> {
  expect(relay.exitCode, `relay exited (${label})`).toBeUndefined();
  const health = await call(relay.url, 'GET', '/v1/health');
  expect(health.status, label).toBe(200);
  const log = await FrameLog.open(relay.url, bob.token);
  try {
    await log.until((l) => l.has('queue_empty'));
    const text = `after ${label}`;
    const sent = await call(relay.url, 'PUT', `/v1/messages/${bob.accountId}`, {
      token: alice.token,
      body: {
        clientMessageId: `ok-${Date.now()}-${Math.random()}`,
        messages: [envelopeFor(bob, text)],
      },
    });
    expect(sent.status, label).toBe(200);
    await log.until((l) =>
      l.envelopes().some((e) => Buffer.from(e.content, 'base64').toString() === text),
    );
    log.ack(log.envelopes().map((e) => e.id));
  } finally {
    log.close();
  }
}

export async function enrolPair(relay: HostileRelay): Promise<[EnrolledDevice, EnrolledDevice]> {
  const [a, b] = relay.codes;
  if (a === undefined || b === undefined) throw new Error('start the relay with codes: 2 or more');
  return [await enrolWithCode(relay.url, a), await enrolWithCode(relay.url, b)];
}

/** Whether the relay still accepts TCP connections: after a crash its port refuses at once. */
export async function accepting(relay: HostileRelay): Promise<boolean> {
  try {
    const probe = await rawSocket(relay.port);
    probe.socket.destroy();
    return true;
  } catch {
    return false;
  }
}

/** A raw TCP connection from a chosen loopback address (127.0.0.x), recording what comes back. */
export function rawSocket(
  port: number,
  localAddress = '127.0.0.1',
): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, localAddress });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    let connected = false;
    socket.on('error', (error) => {
      if (!connected) reject(error);
    });
    socket.once('connect', () => {
      connected = true;
      resolve({ socket, received: () => Buffer.concat(chunks).toString('latin1'), closed });
    });
  });
}

export function upgradeRequest(token?: string): string {
  return (
    'GET /v1/websocket HTTP/1.1\r\nHost: relay\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n' +
    (token === undefined ? '' : `Authorization: Bearer ${token}\r\n`) +
    '\r\n'
  );
}

/** Resolves when `predicate` holds or after `ms`, whichever is first. */
export async function waitFor(predicate: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
}
