import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRelay, type TestRelay } from '../../server/test-relay.js';
import { makeTempDir } from '../core/helpers/temp-profiles.js';
import { pmsg } from './pmsg-process.js';

let relay: TestRelay;
let temp: ReturnType<typeof makeTempDir>;
beforeAll(async () => {
  relay = await startTestRelay();
  temp = makeTempDir('pmsg-cli-devices-');
});
afterAll(async () => {
  await relay.stop();
  temp.cleanup();
});

describe('pmsg client devices', () => {
  it('lists a person’s PCs and removes one: it is wiped, and colleagues keep sending to the rest', async () => {
    const room4 = path.join(temp.dir, 'gp-room-4');
    const room7 = path.join(temp.dir, 'gp-room-7');
    const desk = path.join(temp.dir, 'reception');
    const gp = await relay.relay.enrol({ displayName: 'Dr A Patel', role: 'clinician' });
    const enrol = (dir: string, code: string, name: string) =>
      pmsg([
        'enrol',
        '--profile',
        dir,
        '--server',
        relay.relay.url,
        '--code',
        code,
        '--device-name',
        name,
      ]);
    expect((await enrol(room4, gp.code, 'Room 4 PC')).code).toBe(0);
    const second = await relay.relay.enrol({ accountId: gp.accountId });
    expect((await enrol(room7, second.code, 'Room 7 PC')).code).toBe(0);
    const desk1 = await relay.relay.enrol({ displayName: 'Reception', role: 'reception' });
    expect((await enrol(desk, desk1.code, 'Front desk')).code).toBe(0);

    const listed = await pmsg(['devices', '--profile', room7]);
    expect(listed.code, listed.stderr).toBe(0);
    const devices = JSON.parse(listed.stdout) as Record<string, unknown>[];
    expect(devices).toEqual([
      { deviceId: 1, name: 'Room 4 PC', lastSeen: expect.any(Number), current: false },
      { deviceId: 2, name: 'Room 7 PC', lastSeen: expect.any(Number), current: true },
    ]);

    const sent = await pmsg(['send', '--profile', desk, '--to', gp.accountId, '--text', 'to both']);
    expect(sent.code, sent.stderr).toBe(0);

    const removed = await pmsg(['devices', '--profile', room4, '--remove', '2']);
    expect(removed.code, removed.stderr).toBe(0);
    expect(JSON.parse(removed.stdout)).toEqual({
      removed: 2,
      devices: [{ deviceId: 1, name: 'Room 4 PC', lastSeen: expect.any(Number), current: true }],
    });

    // The removed PC is told on its next contact and erases its profile.
    const wiped = await pmsg(['devices', '--profile', room7]);
    expect(wiped.code).toBe(1);
    // It says the person removed it, from which PC, rather than blaming the practice.
    expect(wiped.stderr).toContain(
      'This PC was removed by Dr A Patel from another of their PCs (Room 4 PC). Its messages have been erased from this PC.',
    );
    expect(wiped.stderr).toMatch(/device_wiped.*have been erased/);
    expect(wiped.stderr).not.toContain('practice');
    expect(readdirSync(room7)).toEqual([]);

    // Reception's next message goes to the remaining PC without a failure.
    const after = await pmsg(['send', '--profile', desk, '--to', gp.accountId, '--text', 'to one']);
    expect(after.code, after.stderr).toBe(0);
    const received = await pmsg(['receive', '--profile', room4, '--timeout', '1']);
    expect(received.code, received.stderr).toBe(0);
    expect(received.stdout).toContain('to one');
  });

  it('says what is wrong with a bad --remove (exit 2) and refuses removing this device (exit 1)', async () => {
    const dir = path.join(temp.dir, 'solo');
    const issued = await relay.relay.enrol({ displayName: 'Nurse N', role: 'nurse' });
    expect(
      (await pmsg(['enrol', '--profile', dir, '--server', relay.relay.url, '--code', issued.code]))
        .code,
    ).toBe(0);
    const bad = await pmsg(['devices', '--profile', dir, '--remove', 'room4']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--remove must be a device id from 1 to 127/);
    const self = await pmsg(['devices', '--profile', dir, '--remove', '1']);
    expect(self.code).toBe(1);
    expect(self.stderr).toMatch(/This is the device you are using/);
    const help = await pmsg(['devices', '--help']);
    expect(help.stdout).toMatch(/--remove <deviceId>/);
  });
});
