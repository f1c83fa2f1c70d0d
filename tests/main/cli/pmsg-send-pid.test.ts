// `pmsg client send` applies the practice's PID guard (issue 11): "block" refuses, "warn" needs
// --send-despite-pid, and every send-anyway is audited with finding kinds only, never text.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unlockCliProfile } from '../../../main/cli/cli-profile.js';
import type { AuditRecord } from '../../../main/core/db/repositories/audit-repository.js';
import { startTestRelay, type TestRelay } from '../../server/test-relay.js';
import { makeTempDir } from '../core/helpers/temp-profiles.js';
import { runPmsg } from './run-pmsg.js';

const env = { PMSG_PASSCODE: 'cli passcode 42' };
const withPid = 'Please call back about NHS 943 476 5919 today';

/** stdout as one string: these tests read one JSON answer or a help text. */
async function pmsg(args: string[]) {
  const run = await runPmsg(args, env.PMSG_PASSCODE);
  return { ...run, out: run.out.join('\n') };
}

let relay: TestRelay;
let temp: ReturnType<typeof makeTempDir>;
let sender: string;
let gpId: string;
let blockPolicy: string;

async function audit(): Promise<AuditRecord[]> {
  const profile = await unlockCliProfile(sender, {
    out: () => undefined,
    err: () => undefined,
    env,
  });
  try {
    return profile.repositories.audit.list();
  } finally {
    profile.close();
  }
}

async function history(): Promise<string[]> {
  const run = await pmsg(['history', '--profile', sender, '--with', gpId]);
  // Refused sends do not even open the conversation.
  if (run.err.includes('There is no conversation with that person yet')) return [];
  expect(run.code, run.err).toBe(0);
  return run.out
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { text: string }).text);
}

beforeAll(async () => {
  relay = await startTestRelay();
  temp = makeTempDir('pmsg-cli-pid-');
  sender = path.join(temp.dir, 'reception');
  const gp = path.join(temp.dir, 'gp');
  for (const [dir, displayName, role] of [
    [sender, 'Reception', 'reception'],
    [gp, 'Dr GP', 'clinician'],
  ] as const) {
    const { code } = await relay.relay.enrol({ displayName, role });
    const run = await pmsg([
      'enrol',
      '--profile',
      dir,
      '--server',
      relay.relay.url,
      '--code',
      code,
    ]);
    expect(run.code, run.err).toBe(0);
  }
  gpId = (JSON.parse((await pmsg(['whoami', '--profile', gp])).out) as { accountId: string })
    .accountId;
  blockPolicy = path.join(temp.dir, 'block-policy.json');
  writeFileSync(blockPolicy, JSON.stringify({ pidGuard: 'block' }));
});
afterAll(async () => {
  await relay.stop();
  temp.cleanup();
});

describe('pmsg client send and the PID guard', () => {
  it('documents --send-despite-pid in --help', async () => {
    const help = await pmsg(['send', '--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('--send-despite-pid');
    expect(help.out).toMatch(/block/);
  });

  it('under "warn", refuses a message with PID unless --send-despite-pid, and says how', async () => {
    const run = await pmsg(['send', '--profile', sender, '--to', gpId, '--text', withPid]);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/policy_restricted/);
    expect(run.err).toMatch(/Valid NHS number/);
    expect(run.err).toMatch(/--send-despite-pid/);
    // The refusal names the kind of data, never the data.
    expect(run.err).not.toContain('943 476 5919');
    expect(await history()).toEqual([]);
  });

  it('under "block", refuses it even with --send-despite-pid', async () => {
    const run = await pmsg([
      'send',
      '--profile',
      sender,
      '--to',
      gpId,
      '--text',
      withPid,
      '--send-despite-pid',
      '--policy',
      blockPolicy,
    ]);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/policy blocks messages containing patient-identifiable data/);
    expect(await history()).toEqual([]);
  });

  it('sends with --send-despite-pid and audits the kinds only; a clean message is not audited', async () => {
    const clean = await pmsg([
      'send',
      '--profile',
      sender,
      '--to',
      gpId,
      '--text',
      'Call back at 2pm',
    ]);
    expect(clean.code, clean.err).toBe(0);
    const run = await pmsg([
      'send',
      '--profile',
      sender,
      '--to',
      gpId,
      '--text',
      `${withPid}, dob 03 Apr 56`,
      '--send-despite-pid',
    ]);
    expect(run.code, run.err).toBe(0);
    const { messageId } = JSON.parse(run.out) as { messageId: string };
    expect(await history()).toEqual(['Call back at 2pm', `${withPid}, dob 03 Apr 56`]);

    const events = (await audit()).filter((e) => e.action === 'message.sent_despite_pid');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      messageIds: [messageId],
      details: { pidKinds: 'nhs-number,date', origin: 'cli', pidGuard: 'warn' },
    });
    const stored = JSON.stringify(await audit());
    for (const secret of ['943 476 5919', '9434765919', '03 Apr 56', 'call back']) {
      expect(stored).not.toContain(secret);
    }
  });
});
