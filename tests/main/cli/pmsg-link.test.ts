import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newLinkCode } from '../../../main/core/messaging/link-code.js';
import { startTestRelay, type TestRelay } from '../../server/test-relay.js';
import { makeTempDir } from '../core/helpers/temp-profiles.js';
import { pmsg } from './pmsg-process.js';

// A person links a PC themselves (issue 13): `pmsg client link` on a PC they have, `enrol
// --link-code` on the new one, `link --approve` back on the first. Real relay, real processes.

let relay: TestRelay;
let temp: ReturnType<typeof makeTempDir>;
beforeAll(async () => {
  relay = await startTestRelay();
  temp = makeTempDir('pmsg-cli-link-');
});
afterAll(async () => {
  await relay.stop();
  temp.cleanup();
});

const enrolByCode = (url: string, dir: string, code: string, name: string) =>
  pmsg(['enrol', '--profile', dir, '--server', url, '--code', code, '--device-name', name]);
const enrolByLink = (url: string, dir: string, code: string, name: string) =>
  pmsg(['enrol', '--profile', dir, '--server', url, '--link-code', code, '--device-name', name]);

async function firstPc(t: TestRelay, name: string, dir: string) {
  const issued = await t.relay.enrol({ displayName: name, role: 'clinician' });
  const enrolled = await enrolByCode(t.relay.url, dir, issued.code, 'Room 4 PC');
  expect(enrolled.code, enrolled.stderr).toBe(0);
  return issued;
}

async function makeCode(dir: string, extra: string[] = []) {
  const made = await pmsg(['link', '--profile', dir, ...extra]);
  expect(made.code, made.stderr).toBe(0);
  const link = JSON.parse(made.stdout) as {
    code: string;
    expiresAt: number;
    approvalRequired: boolean;
  };
  expect(link.code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  expect(link.expiresAt).toBeGreaterThan(Date.now());
  return link;
}

function policyFile(name: string, policy: object): string {
  const file = path.join(temp.dir, name);
  writeFileSync(file, JSON.stringify(policy));
  return file;
}

describe('pmsg client link', () => {
  it('links a PC approved by name on the first PC; it is a real device of the person; the code works once', async () => {
    const room4 = path.join(temp.dir, 'a-room-4');
    const room7 = path.join(temp.dir, 'a-room-7');
    const desk = path.join(temp.dir, 'a-desk');
    const gp = await firstPc(relay, 'Dr A Patel', room4);
    const link = await makeCode(room4);
    expect(link.approvalRequired).toBe(true);

    // The new PC waits for approval; the first PC sees who is asking, then approves.
    const joining = enrolByLink(relay.relay.url, room7, link.code.toLowerCase(), 'Room 7 PC');
    const approved = await pmsg(['link', '--profile', room4, '--approve', '--wait', '60']);
    expect(approved.code, approved.stderr).toBe(0);
    expect(JSON.parse(approved.stdout)).toEqual({
      decision: 'approved',
      deviceName: 'Room 7 PC',
      deviceId: 2,
    });
    const joined = await joining;
    expect(joined.code, joined.stderr).toBe(0);
    expect(joined.stderr).toMatch(/Waiting for your other PC to approve/);
    expect(JSON.parse(joined.stdout)).toMatchObject({ accountId: gp.accountId, deviceId: 2 });

    const listed = await pmsg(['devices', '--profile', room4]);
    expect(JSON.parse(listed.stdout)).toMatchObject([
      { deviceId: 1, name: 'Room 4 PC', current: true },
      { deviceId: 2, name: 'Room 7 PC', current: false },
    ]);
    // A colleague's message reaches the linked PC, end to end.
    const reception = await relay.relay.enrol({ displayName: 'Reception', role: 'reception' });
    expect((await enrolByCode(relay.relay.url, desk, reception.code, 'Front desk')).code).toBe(0);
    const sent = await pmsg([
      'send',
      '--profile',
      desk,
      '--to',
      gp.accountId,
      '--text',
      'to the new PC',
    ]);
    expect(sent.code, sent.stderr).toBe(0);
    const received = await pmsg(['receive', '--profile', room7, '--timeout', '2']);
    expect(received.code, received.stderr).toBe(0);
    expect(received.stdout).toContain('to the new PC');

    // Used once: a third PC with the same code is refused and leaves no profile behind.
    const room9 = path.join(temp.dir, 'a-room-9');
    const reused = await enrolByLink(relay.relay.url, room9, link.code, 'Room 9 PC');
    expect(reused.code).toBe(1);
    expect(reused.stderr).toMatch(/already been used/);
    expect(existsSync(room9) ? readdirSync(room9) : []).toEqual([]);
    const status = await pmsg(['link', '--profile', room4, '--status']);
    expect(JSON.parse(status.stdout)).toMatchObject({ state: 'approved', deviceId: 2 });
  });

  it('a refused PC is told so and gets no device', async () => {
    const room4 = path.join(temp.dir, 'b-room-4');
    const laptop = path.join(temp.dir, 'b-laptop');
    await firstPc(relay, 'Dr B Jones', room4);
    const link = await makeCode(room4);
    const joining = enrolByLink(relay.relay.url, laptop, link.code, 'Unknown laptop');
    // --status shows who is asking and that it proved the code, before any decision.
    let asking: { state: string; asking: unknown } = { state: 'open', asking: null };
    for (let i = 0; i < 60 && asking.state === 'open'; i += 1) {
      const status = await pmsg(['link', '--profile', room4, '--status']);
      asking = JSON.parse(status.stdout) as typeof asking;
    }
    expect(asking).toMatchObject({
      state: 'requested',
      asking: { deviceName: 'Unknown laptop', verified: true },
    });
    const refused = await pmsg(['link', '--profile', room4, '--refuse']);
    expect(refused.code, refused.stderr).toBe(0);
    expect(JSON.parse(refused.stdout)).toEqual({
      decision: 'refused',
      deviceName: 'Unknown laptop',
      deviceId: null,
    });
    const told = await joining;
    expect(told.code).toBe(1);
    expect(told.stderr).toMatch(/refused this one/);
    const listed = await pmsg(['devices', '--profile', room4]);
    expect(JSON.parse(listed.stdout)).toHaveLength(1);
  });

  it('with the policy allowing it, the code alone adds the PC', async () => {
    const room4 = path.join(temp.dir, 'c-room-4');
    const room5 = path.join(temp.dir, 'c-room-5');
    const gp = await firstPc(relay, 'Dr C Khan', room4);
    const policy = policyFile('no-approval.json', { linkWithoutApproval: true });
    const link = await makeCode(room4, ['--policy', policy]);
    expect(link.approvalRequired).toBe(false);
    const joined = await enrolByLink(relay.relay.url, room5, link.code, 'Room 5 PC');
    expect(joined.code, joined.stderr).toBe(0);
    expect(JSON.parse(joined.stdout)).toMatchObject({ accountId: gp.accountId, deviceId: 2 });
  });

  it('refuses a wrong code, a malformed one, and both kinds of code at once', async () => {
    const dir = path.join(temp.dir, 'd-new');
    const wrong = await enrolByLink(relay.relay.url, dir, newLinkCode(), 'PC');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/does not know this link code/);
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
    const malformed = await enrolByLink(relay.relay.url, dir, 'ABC-123', 'PC');
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/--link-code must be the 16 letters and digits/);
    const both = await pmsg([
      'enrol',
      '--profile',
      dir,
      '--server',
      relay.relay.url,
      '--code',
      'X',
      '--link-code',
      newLinkCode(),
    ]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/exactly one of --code/);
    const modes = await pmsg(['link', '--profile', dir, '--approve', '--refuse']);
    expect(modes.code).toBe(2);
  });

  it('caps devices per person: the policy on the PC, and the relay, which decides', async () => {
    const room4 = path.join(temp.dir, 'e-room-4');
    await firstPc(relay, 'Dr E Shah', room4);
    const capped = await pmsg([
      'link',
      '--profile',
      room4,
      '--policy',
      policyFile('cap-1.json', { maxDevicesPerPerson: 1 }),
    ]);
    expect(capped.code).toBe(1);
    expect(capped.stderr).toMatch(
      /You already have 1 devices, the most your practice allows one person \(1\)\. Remove one first/,
    );

    const small = await startTestRelay({ maxDevicesPerPerson: 1 });
    try {
      const solo = path.join(temp.dir, 'e-solo');
      await firstPc(small, 'Dr F Lee', solo);
      const refused = await pmsg(['link', '--profile', solo]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/the most this practice allows one person \(1\).*--remove/);
    } finally {
      await small.stop();
    }
  });

  it('a PC nobody approves in time is told the code expired', async () => {
    const short = await startTestRelay({ linkLifetimeMs: 4_000 });
    try {
      const room4 = path.join(temp.dir, 'f-room-4');
      const room7 = path.join(temp.dir, 'f-room-7');
      await firstPc(short, 'Dr G Ali', room4);
      const link = await makeCode(room4);
      const late = await enrolByLink(short.relay.url, room7, link.code, 'Room 7 PC');
      expect(late.code).toBe(1);
      expect(late.stderr).toMatch(/expired before your other PC approved/);
      const approve = await pmsg(['link', '--profile', room4, '--approve', '--wait', '0']);
      expect(approve.code).toBe(1);
      expect(approve.stderr).toMatch(/expired/);
    } finally {
      await short.stop();
    }
  });
});
