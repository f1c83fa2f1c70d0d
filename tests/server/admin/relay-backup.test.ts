import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../server/log.js';
import { startRelay } from '../../../server/relay.js';
import { call, enrolNew, envelopeFor, FrameLog } from '../relay-client.js';
import { runRelayCli as runCli, runRelayCliAsync, startBuiltServe } from './built-relay-cli.js';
import { startTestRelay, type TestRelay } from '../test-relay.js';

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'pmsg-backup-test-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('pmsg relay backup, while messages flow', () => {
  it('restores with every envelope queued before the backup began', async () => {
    const relay: TestRelay = await startTestRelay({
      requestBurst: 100_000,
      requestsPerSecond: 100_000,
    });
    cleanups.push(() => relay.stop());
    const alice = await enrolNew(relay.relay, 'Alice');
    const bob = await enrolNew(relay.relay, 'Bob'); // offline: everything queues for him
    const out = path.join(tempDir(), 'relay-backup.sqlite');

    const accepted: { id: string; at: number }[] = [];
    let sending = true;
    let n = 0;
    const sender = (async () => {
      while (sending) {
        const id = `flow-${n++}`;
        const sent = await call(relay.relay.url, 'PUT', `/v1/messages/${bob.accountId}`, {
          token: alice.token,
          body: { clientMessageId: id, messages: [envelopeFor(bob, id)] },
        });
        expect(sent.status).toBe(200);
        accepted.push({ id, at: Date.now() });
      }
    })();
    // Let a queue build up, then back up while the sender keeps going.
    while (accepted.length < 50) await new Promise((r) => setTimeout(r, 10));
    const backupStarted = Date.now();
    const backup = await runRelayCliAsync(['backup', '--data', relay.dataDir, '--out', out]);
    const acceptedDuringBackup = accepted.filter((a) => a.at >= backupStarted).length;
    sending = false;
    await sender;
    expect(backup.stderr).toBe('');
    expect(backup.status).toBe(0);
    const report = JSON.parse(backup.stdout) as {
      queuedEnvelopes: number;
      integrity: string;
      accounts: number;
    };
    expect(report.integrity).toBe('ok');
    expect(report.accounts).toBe(2);
    // Messages did flow while the backup ran (it is online), and were accepted.
    expect(acceptedDuringBackup).toBeGreaterThan(0);
    const beforeBackup = accepted.filter((a) => a.at < backupStarted).map((a) => a.id);
    expect(report.queuedEnvelopes).toBeGreaterThanOrEqual(beforeBackup.length);
    expect(existsSync(`${out}.partial`)).toBe(false);

    // The relay host is lost; a new one restores the backup and serves it.
    await relay.relay.close();
    const fresh = path.join(tempDir(), 'data');
    const restore = await runRelayCliAsync(['restore', '--data', fresh, '--from', out]);
    expect(restore.stderr).toBe('');
    expect(restore.status).toBe(0);
    expect(JSON.parse(restore.stdout)).toMatchObject({
      previous: null,
      queuedEnvelopes: report.queuedEnvelopes,
    });
    const restored = await startRelay({ dataDir: fresh, port: 0, logger: silentLogger });
    cleanups.push(() => restored.close());

    // Bob's device token still works, and his queue is there, envelope for envelope.
    const log = await FrameLog.open(restored.url, bob.token);
    cleanups.push(() => log.socket.close());
    // The relay sends a window of envelopes at a time; acking them brings the rest.
    const acked = new Set<string>();
    await log.until((l) => {
      const fresh = l.envelopes().filter((e) => !acked.has(e.id));
      if (fresh.length > 0) {
        l.ack(fresh.map((e) => e.id));
        for (const e of fresh) acked.add(e.id);
      }
      return l.has('queue_empty') && l.envelopes().length >= report.queuedEnvelopes;
    }, 30_000);
    const received = log.envelopes().map((e) => Buffer.from(e.content, 'base64').toString());
    expect(received.length).toBe(report.queuedEnvelopes);
    for (const id of beforeBackup) expect(received).toContain(id);
    // A consistent snapshot: what it holds is a prefix of what was sent, in order, no gaps.
    expect(received).toEqual(accepted.slice(0, received.length).map((a) => a.id));
  }, 120_000);
});

describe('pmsg relay restore', () => {
  it('refuses while a relay serves the folder, keeps the replaced database, and checks its input', async () => {
    const dir = tempDir();
    const data = path.join(dir, 'data');
    const serve = await startBuiltServe(['--data', data, '--port', '0']);
    cleanups.push(async () => {
      await serve.stop();
    });
    const backupFile = path.join(dir, 'b.sqlite');
    expect(runCli(['backup', '--data', data, '--out', backupFile]).status).toBe(0);
    // A second backup to the same name never overwrites the first.
    const again = runCli(['backup', '--data', data, '--out', backupFile]);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/already exists/);

    const refused = runCli(['restore', '--data', data, '--from', backupFile]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(
      new RegExp(`a relay \\(process \\d+\\) is serving ${data.replace(/[/\\]/g, '.')}`),
    );

    expect(runCli(['restore', '--data', data]).status).toBe(2);
    expect(runCli(['restore', '--data', data, '--from', backupFile, '--force']).status).toBe(2);

    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
    // A clean stop removes the marker, so the restore may go ahead.
    expect(existsSync(path.join(data, 'relay.pid'))).toBe(false);
    const notRelay = path.join(dir, 'not-a-relay.sqlite');
    const { default: Database } = await import('better-sqlite3-multiple-ciphers');
    new Database(notRelay).close();
    const wrong = runCli(['restore', '--data', data, '--from', notRelay]);
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(/holds no relay tables/);

    const done = runCli(['restore', '--data', data, '--from', backupFile]);
    expect(done.stderr).toBe('');
    expect(done.status).toBe(0);
    const previous = (JSON.parse(done.stdout) as { previous: string }).previous;
    expect(previous).toMatch(/relay\.sqlite\.before-restore-/);
    expect(readdirSync(data)).toContain(path.basename(previous));
  }, 120_000);

  it('treats a marker left by a crashed relay as no relay', async () => {
    const dir = tempDir();
    const data = path.join(dir, 'data');
    const relay = await startRelay({ dataDir: data, port: 0, logger: silentLogger });
    await relay.close();
    const backupFile = path.join(dir, 'b.sqlite');
    expect(runCli(['backup', '--data', data, '--out', backupFile]).status).toBe(0);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path.join(data, 'relay.pid'), '999999999\n');
    expect(runCli(['restore', '--data', data, '--from', backupFile]).status).toBe(0);
  }, 60_000);
});
