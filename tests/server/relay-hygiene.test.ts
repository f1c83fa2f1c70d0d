import { mkdtempSync, rmSync } from 'node:fs';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createRelayLogger } from '../../server/log.js';
import { startRelay } from '../../server/relay.js';
import { SqliteRelayStorage } from '../../server/storage/sqlite-relay-storage.js';
import { selfSignedCert } from '../helpers/self-signed-cert.js';
import { call, enrolNew, envelopeFor, FrameLog } from './relay-client.js';

function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'pmsg-relay-hygiene-'));
}

describe('structured logs', () => {
  it('are JSON lines that never contain tokens, enrolment codes or ciphertext', async () => {
    const dir = tempDir();
    const lines: string[] = [];
    const relay = await startRelay({
      dataDir: dir,
      port: 0,
      logger: createRelayLogger('debug', (line) => lines.push(line)),
    });
    try {
      const issued = await relay.enrol({ displayName: 'Logged', role: 'nurse' });
      const a = await enrolNew(relay, 'A');
      const b = await enrolNew(relay, 'B');
      const secretContent = 'c2VjcmV0LWNpcGhlcnRleHQ=';
      await call(relay.url, 'PUT', `/v1/messages/${b.accountId}`, {
        token: a.token,
        body: {
          clientMessageId: 'log-1',
          messages: [{ ...envelopeFor(b, 'x'), content: secretContent }],
        },
      });
      await call(relay.url, 'GET', '/v1/directory', { token: 'bad-token-value' });
      const log = await FrameLog.open(relay.url, b.token);
      await log.until((l) => l.has('queue_empty'));
      log.close();
      await log.until((l) => l.closeCode !== null);
      expect(lines.length).toBeGreaterThan(5);
      for (const line of lines) {
        const record = JSON.parse(line) as Record<string, unknown>;
        expect(record).toHaveProperty('event');
        expect(record).toHaveProperty('time');
      }
      const all = lines.join('\n');
      expect(all).toMatch(
        /"event":"request".*"route":"\/v1\/messages\/\{accountId\}".*"status":200/,
      );
      for (const secret of [a.token, b.token, 'bad-token-value', issued.code, secretContent]) {
        expect(all).not.toContain(secret);
      }
    } finally {
      await relay.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('error logs', () => {
  it('name the kind of a storage failure, never its message (which may quote data)', async () => {
    const dir = tempDir();
    const lines: string[] = [];
    const storage = new SqliteRelayStorage(dir, { busyTimeoutMs: 10 });
    const leak = 'patient 9434765919 token Zq3xJr9Lk2Vb8Np1';
    let failWith: Error | null = null;
    const failing = new Proxy(storage, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver) as unknown;
        if (property !== 'listDirectory' || typeof value !== 'function') {
          return typeof value === 'function' ? value.bind(target) : value;
        }
        return (...args: unknown[]) => {
          if (failWith) throw failWith;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const relay = await startRelay({
      dataDir: dir,
      port: 0,
      storage: failing,
      logger: createRelayLogger('debug', (line) => lines.push(line)),
    });
    try {
      const device = await enrolNew(relay, 'Logged');
      failWith = new Error(`unexpected: ${leak}`);
      const broken = await call(relay.url, 'GET', '/v1/directory', { token: device.token });
      expect(broken.status).toBe(500);
      failWith = Object.assign(new Error(`database is locked: ${leak}`), {
        name: 'SqliteError',
        code: 'SQLITE_BUSY',
      });
      const busy = await call(relay.url, 'GET', '/v1/directory', { token: device.token });
      expect(busy.status).toBe(503);
      const all = lines.join('\n');
      expect(all).toMatch(/"event":"request_failed".*"error":"Error"/);
      expect(all).toMatch(/"event":"storage_unavailable".*"error":"SqliteError:SQLITE_BUSY"/);
      expect(all).not.toContain('9434765919');
      expect(all).not.toContain('Zq3xJr9Lk2Vb8Np1');
    } finally {
      await relay.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('TLS', () => {
  it('serves HTTPS and WSS with the given certificate and key', async () => {
    const dir = tempDir();
    const { cert, key } = selfSignedCert(dir);
    const relay = await startRelay({
      dataDir: path.join(dir, 'data'),
      port: 0,
      tls: { cert, key },
      logger: createRelayLogger('error', () => undefined),
    });
    try {
      expect(relay.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const body = await new Promise<string>((resolve, reject) => {
        get(`${relay.url}/v1/health`, { ca: cert }, (res) => {
          let text = '';
          res.on('data', (chunk) => (text += chunk));
          res.on('end', () => resolve(text));
        }).on('error', reject);
      });
      expect(JSON.parse(body)).toEqual({ status: 'ok', protocol: 1 });
      const socket = new WebSocket(`${relay.url.replace('https', 'wss')}/v1/websocket`, {
        ca: cert,
        headers: { authorization: 'Bearer nope' },
      });
      const status = await new Promise<number>((resolve) => {
        socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        socket.on('error', () => resolve(-1));
      });
      expect(status).toBe(401);
    } finally {
      await relay.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('shutdown and wipe on upgrade', () => {
  it('refuses a wiped device at the WebSocket upgrade with 403 and closes sockets with 1001 on close()', async () => {
    const dir = tempDir();
    const relay = await startRelay({
      dataDir: dir,
      port: 0,
      logger: createRelayLogger('error', () => undefined),
    });
    try {
      const lost = await enrolNew(relay, 'Lost laptop');
      const kept = await enrolNew(relay, 'Kept');
      await relay.revoke(lost.accountId);
      const socket = new WebSocket(`${relay.url.replace('http', 'ws')}/v1/websocket`, {
        headers: { authorization: `Bearer ${lost.token}` },
      });
      const refused = await new Promise<{ status: number; body: string }>((resolve) => {
        socket.on('unexpected-response', (_req, res) => {
          let body = '';
          res.on('data', (chunk) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
      });
      expect(refused.status).toBe(403);
      expect(JSON.parse(refused.body).error.code).toBe('remote_wipe');

      const open = await FrameLog.open(relay.url, kept.token);
      await open.until((l) => l.has('ready'));
      await relay.close();
      await open.until((l) => l.closeCode !== null);
      expect(open.closeCode).toBe(1001);
    } finally {
      await relay.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
