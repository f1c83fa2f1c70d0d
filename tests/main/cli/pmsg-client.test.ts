import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeytarKeychain } from '../../../main/core/keychain/keytar-keychain.js';
import { startTestRelay, type TestRelay } from '../../server/test-relay.js';
import { makeTempDir } from '../core/helpers/temp-profiles.js';
import { pmsg, type PmsgRun as Run } from './pmsg-process.js';

const lines = (run: Run) =>
  run.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

let relay: TestRelay;
let temp: ReturnType<typeof makeTempDir>;
beforeAll(async () => {
  relay = await startTestRelay();
  temp = makeTempDir('pmsg-cli-');
});
afterAll(async () => {
  await relay.stop();
  temp.cleanup();
});

describe('pmsg client, end to end through a real relay', () => {
  it('enrol, whoami, directory, send, receive, history and safety-number have the documented shapes', async () => {
    const a = path.join(temp.dir, 'reception');
    const b = path.join(temp.dir, 'gp');
    const codeA = (await relay.relay.enrol({ displayName: 'Reception', role: 'reception' })).code;
    const codeB = (await relay.relay.enrol({ displayName: 'Dr GP', role: 'clinician' })).code;
    expect(
      (await pmsg(['enrol', '--profile', a, '--server', relay.relay.url, '--code', codeA])).code,
    ).toBe(0);
    expect(
      (await pmsg(['enrol', '--profile', b, '--server', relay.relay.url, '--code', codeB])).code,
    ).toBe(0);

    const whoA = await pmsg(['whoami', '--profile', a]);
    const me = JSON.parse(whoA.stdout) as { accountId: string };
    expect(JSON.parse(whoA.stdout)).toEqual({
      accountId: me.accountId,
      displayName: 'Reception',
      role: 'reception',
    });
    const gp = JSON.parse((await pmsg(['whoami', '--profile', b])).stdout) as { accountId: string };

    const directory = JSON.parse((await pmsg(['directory', '--profile', a])).stdout) as unknown[];
    expect(directory).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          accountId: gp.accountId,
          displayName: 'Dr GP',
          role: 'clinician',
        }),
      ]),
    );

    const sends: string[] = [];
    for (const text of ['first from the CLI', 'second from the CLI']) {
      const run = await pmsg(['send', '--profile', a, '--to', gp.accountId, '--text', text]);
      expect(run.code, run.stderr).toBe(0);
      const out = JSON.parse(run.stdout) as { messageId: string; status: string };
      expect(Object.keys(out).sort()).toEqual(['messageId', 'status']);
      expect(out.status).toBe('sent');
      sends.push(out.messageId);
    }

    const received = await pmsg(['receive', '--profile', b, '--timeout', '1']);
    expect(received.code, received.stderr).toBe(0);
    const messages = lines(received);
    expect(messages.map((m) => m.messageId)).toEqual(sends);
    expect(messages[0]).toEqual({
      messageId: sends[0],
      from: me.accountId,
      sentAt: expect.any(Number),
      text: 'first from the CLI',
    });
    // Drained and acked: a second receive prints nothing.
    expect(lines(await pmsg(['receive', '--profile', b]))).toEqual([]);

    const history = lines(await pmsg(['history', '--profile', a, '--with', gp.accountId]));
    expect(history.map((m) => m.text)).toEqual(['first from the CLI', 'second from the CLI']);
    // The sender has not been online to receive the receipts yet.
    expect(history.map((m) => m.status)).toEqual(['sent', 'sent']);

    const safetyA = await pmsg(['safety-number', '--profile', a, '--with', gp.accountId]);
    const safetyB = await pmsg(['safety-number', '--profile', b, '--with', me.accountId]);
    expect(safetyA.stdout.trim()).toMatch(/^\d{60}$/);
    expect(safetyA.stdout).toBe(safetyB.stdout);
  });

  it('fails clearly: bad arguments exit 2, a wrong passcode or unknown profile exits 1', async () => {
    const help = await pmsg(['--help']);
    expect(help.code).toBe(0);
    for (const name of [
      'enrol',
      'whoami',
      'directory',
      'send',
      'receive',
      'history',
      'safety-number',
    ]) {
      expect(help.stdout).toContain(name);
    }
    const missing = await pmsg(['send', '--profile', temp.dir]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--to is required/);
    const unknownOption = await pmsg(['whoami', '--profile', temp.dir, '--bogus']);
    expect(unknownOption.code).toBe(2);
    const noProfile = await pmsg(['whoami', '--profile', path.join(temp.dir, 'nobody')]);
    expect(noProfile.code).toBe(1);
    expect(noProfile.stderr).toMatch(/No profile in/);
    const wrong = await pmsg(['whoami', '--profile', path.join(temp.dir, 'reception')], {
      PMSG_PASSCODE: 'wrong passcode!',
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/invalid_passcode/);
    const noPasscode = await pmsg(['whoami', '--profile', path.join(temp.dir, 'reception')], {});
    expect(noPasscode.code).toBe(1);
    expect(noPasscode.stderr).toMatch(/PMSG_PASSCODE/);
    const badCode = await pmsg([
      'enrol',
      '--profile',
      path.join(temp.dir, 'x'),
      '--server',
      relay.relay.url,
      '--code',
      'AAAA-BBBB-CCCC-DDDD',
    ]);
    expect(badCode.code).toBe(1);
    expect(badCode.stderr).toMatch(/enrolment code/);
  });

  it('erases the profile when the relay orders a remote wipe, and says so', async () => {
    const dir = path.join(temp.dir, 'wiped-desk');
    const code = (await relay.relay.enrol({ displayName: 'Old Desk', role: 'reception' })).code;
    const enrol = await pmsg([
      'enrol',
      '--profile',
      dir,
      '--server',
      relay.relay.url,
      '--code',
      code,
    ]);
    expect(enrol.code, enrol.stderr).toBe(0);
    const { accountId } = JSON.parse((await pmsg(['whoami', '--profile', dir])).stdout) as {
      accountId: string;
    };
    const [profileId] = readdirSync(dir);
    expect(await new KeytarKeychain().getSecret(profileId!)).not.toBeNull();

    await relay.relay.revoke(accountId, { wipe: true });
    const run = await pmsg(['receive', '--profile', dir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/device_wiped.*remote wipe.*have been erased/);
    expect(readdirSync(dir)).toEqual([]);
    expect(await new KeytarKeychain().getSecret(profileId!)).toBeNull();
    const after = await pmsg(['whoami', '--profile', dir]);
    expect(after.stderr).toMatch(/No profile in/);
  });
});
