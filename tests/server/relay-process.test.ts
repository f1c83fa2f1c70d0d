import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeCodes } from '../../shared/protocol/index.js';
import { call, enrolWithCode, envelopeFor, FrameLog } from './relay-client.js';
import { runCli, startServeProcess } from './relay-process.js';

// The relay as operators run it: `pmsg relay ...` in its own process (from source via tsx).

let dataDir: string;
beforeAll(() => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'pmsg-relay-proc-'));
});
afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

function enrolCode(name: string, extra: string[] = []) {
  const r = runCli([
    'enrol',
    '--data',
    dataDir,
    '--name',
    name,
    '--role',
    'clinician',
    '--org',
    'Proc',
    ...extra,
  ]);
  expect(r.status, r.stderr).toBe(0);
  const issued = JSON.parse(r.stdout) as { code: string; accountId: string; expiresAt: string };
  expect(issued.code).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);
  expect(new Date(issued.expiresAt).getTime()).toBeGreaterThan(Date.now());
  return issued;
}

describe('pmsg relay CLI', () => {
  it('prints usage for --help and refuses bad arguments with exit 2 and a reason', () => {
    const help = runCli(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/pmsg relay <command>/);
    const cases: [string[], RegExp][] = [
      [['serve'], /exactly one of --data <dir> .* and --database/],
      [['list', '--data', dataDir, '--database', 'postgres://relay@db/pmsg'], /exactly one of/],
      [['serve', '--database', 'mysql://relay@db/pmsg'], /--database must be a PostgreSQL URL/],
      [['serve', '--data', dataDir, '--port', 'eighty'], /--port must be a whole number/],
      [['enrol', '--data', dataDir, '--role', 'nurse'], /--name <display name> is required/],
      [['enrol', '--data', dataDir, '--name', 'X', '--role', 'doctor'], /--role must be one of/],
      [['revoke', '--data', dataDir], /--account <accountId> is required/],
      [['frobnicate'], /Unknown command "frobnicate"/],
      [['list', '--data', dataDir, '--colour'], /Unknown option '--colour'/],
    ];
    for (const [args, message] of cases) {
      const r = runCli(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });

  it('enrol, revoke and list refuse a --data folder without a relay database (exit 2, naming it); only serve creates one', () => {
    const typo = `${dataDir}-typo`;
    for (const folder of [dataDir, typo]) {
      for (const args of [
        ['enrol', '--data', folder, '--name', 'X', '--role', 'nurse'],
        ['revoke', '--data', folder, '--account', 'nobody'],
        ['list', '--data', folder],
      ]) {
        const r = runCli(args);
        expect(r.status, args.join(' ')).toBe(2);
        expect(r.stderr).toContain(`${folder} holds no relay database`);
        expect(r.stdout).toBe('');
      }
    }
    expect(existsSync(typo)).toBe(false);
    expect(existsSync(path.join(dataDir, 'relay.sqlite'))).toBe(false);
  });

  it('serves, enrols and revokes while serving, survives SIGKILL without losing envelopes, stops on SIGTERM', async () => {
    let relay = await startServeProcess(dataDir);
    expect(JSON.parse(relay.firstLine)).toEqual({ event: 'listening', url: relay.url });
    expect(relay.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    // Codes issued by the CLI while the server runs are redeemable at once.
    const alice = await enrolWithCode(relay.url, enrolCode('Alice').code);
    const bob = await enrolWithCode(relay.url, enrolCode('Bob').code);
    const extraCode = runCli(['enrol', '--data', dataDir, '--account', bob.accountId]);
    expect(JSON.parse(extraCode.stdout)).toMatchObject({ accountId: bob.accountId });
    const bob2 = await enrolWithCode(relay.url, JSON.parse(extraCode.stdout).code);
    expect(bob2.deviceId).toBe(2);

    // 40 sends in parallel, each acknowledged with 200, then the process is killed outright.
    const count = 40;
    const results = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        call(relay.url, 'PUT', `/v1/messages/${bob.accountId}`, {
          token: alice.token,
          body: {
            clientMessageId: `crash-${i}`,
            messages: [envelopeFor(bob, `env ${i}`), envelopeFor(bob2, `env ${i}`)],
          },
        }),
      ),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    relay.child.kill('SIGKILL');
    await relay.exited;

    relay = await startServeProcess(dataDir);
    const log = await FrameLog.open(relay.url, bob.token);
    await log.until((l) => l.has('queue_empty'), 10_000);
    const received = log.envelopes().map((e) => Buffer.from(e.content, 'base64').toString());
    expect(new Set(received).size).toBe(count);
    expect(received.length).toBe(count);
    // Order is acceptance order: the ids the relay assigned increase.
    const ids = log.envelopes().map((e) => BigInt(e.id));
    expect([...ids].sort((a, b) => (a < b ? -1 : 1))).toEqual(ids);

    // `revoke` from another process closes the live socket within the poll interval.
    const revoked = runCli([
      'revoke',
      '--data',
      dataDir,
      '--account',
      bob.accountId,
      '--device',
      '1',
    ]);
    expect(revoked.status, revoked.stderr).toBe(0);
    expect(JSON.parse(revoked.stdout)).toEqual({
      accountId: bob.accountId,
      revoked: [{ deviceId: 1, wipe: true }],
    });
    await log.until((l) => l.closeCode !== null, 5000);
    expect(log.has('wipe')).toBe(true);
    expect(log.closeCode).toBe(closeCodes.wipe);
    expect((await call(relay.url, 'GET', '/v1/me', { token: bob2.token })).status).toBe(200);

    const listed = runCli(['list', '--data', dataDir]);
    const accounts = JSON.parse(listed.stdout).accounts as {
      accountId: string;
      devices: { deviceId: number; status: string; queued: number }[];
    }[];
    const bobListed = accounts.find((a) => a.accountId === bob.accountId);
    expect(bobListed?.devices.map((d) => [d.deviceId, d.status, d.queued])).toEqual([
      [1, 'revoked', 0],
      [2, 'active', count],
    ]);

    const unknown = runCli(['revoke', '--data', dataDir, '--account', 'nobody']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/No account nobody/);

    relay.child.kill('SIGTERM');
    expect(await relay.exited).toBe(0);
  });
});
