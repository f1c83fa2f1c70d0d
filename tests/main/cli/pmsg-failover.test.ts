import { createServer } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRelay, type TestRelay } from '../../server/test-relay.js';
import { makeTempDir } from '../core/helpers/temp-profiles.js';
import { pmsg } from './pmsg-process.js';

/** A loopback address nothing listens on: connections to it are refused. */
async function deadAddress(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

let relay: TestRelay;
let temp: ReturnType<typeof makeTempDir>;
beforeAll(async () => {
  relay = await startTestRelay();
  temp = makeTempDir('pmsg-cli-failover-');
});
afterAll(async () => {
  await relay.stop();
  temp.cleanup();
});

describe('pmsg client with several relay addresses', () => {
  it('enrols and sends past an address that refuses connections (repeated --server, or a comma list)', async () => {
    const dead = await deadAddress();
    const a = path.join(temp.dir, 'reception');
    const b = path.join(temp.dir, 'gp');
    const codeA = (await relay.relay.enrol({ displayName: 'Reception', role: 'reception' })).code;
    const codeB = (await relay.relay.enrol({ displayName: 'Dr GP', role: 'clinician' })).code;
    // The dead address first: every call and socket must move on to the live one.
    const enrolA = await pmsg([
      'enrol',
      '--profile',
      a,
      '--server',
      dead,
      '--server',
      relay.relay.url,
      '--code',
      codeA,
    ]);
    expect(enrolA.code, enrolA.stderr).toBe(0);
    const enrolB = await pmsg([
      'enrol',
      '--profile',
      b,
      '--server',
      `${dead},${relay.relay.url}`,
      '--code',
      codeB,
    ]);
    expect(enrolB.code, enrolB.stderr).toBe(0);
    const gp = JSON.parse(enrolB.stdout) as { accountId: string };

    const sent = await pmsg(['send', '--profile', a, '--to', gp.accountId, '--text', 'via node 2']);
    expect(sent.code, sent.stderr).toBe(0);
    expect((JSON.parse(sent.stdout) as { status: string }).status).toBe('sent');
    const received = await pmsg(['receive', '--profile', b, '--timeout', '2']);
    expect(received.code, received.stderr).toBe(0);
    expect(received.stdout).toContain('via node 2');
  }, 120_000);

  it('refuses a bad address in the list before making a profile (exit 2)', async () => {
    const dir = path.join(temp.dir, 'bad');
    const run = await pmsg([
      'enrol',
      '--profile',
      dir,
      '--server',
      relay.relay.url,
      '--server',
      'http://relay.example.nhs.uk',
      '--code',
      'AAAA-BBBB-CCCC-DDDD',
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--server: Plain http:\/\/ is only allowed/);
    const none = await pmsg(['enrol', '--profile', dir, '--server', ' , ', '--code', 'X']);
    expect(none.code).toBe(2);
  });
});
