import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runClientCli } from '../../../main/cli/run-client-cli.js';
import { startTestRelay, type TestRelay } from '../../server/test-relay.js';
import { makeTempDir } from '../core/helpers/temp-profiles.js';

// `pmsg client group ...`, `send --group`, `history --group` and `receive` through a real relay,
// each command run as the CLI runs it (runClientCli) on real profiles in their own folders.

const passcode = 'cli group passcode 7';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `pmsg client <args>` in this process (a spawned tsx takes many seconds per command under load). */
async function pmsg(args: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runClientCli(args, {
    out: (line) => (stdout += `${line}\n`),
    err: (line) => (stderr += `${line}\n`),
    env: { PMSG_PASSCODE: passcode },
  });
  return { code, stdout, stderr };
}

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
  temp = makeTempDir('pmsg-cli-group-');
});
afterAll(async () => {
  await relay.stop();
  temp.cleanup();
});

async function enrolled(name: string, role: 'reception' | 'clinician' | 'nurse') {
  const dir = path.join(temp.dir, name.replace(/\W+/g, '-'));
  const { code, accountId } = await relay.relay.enrol({ displayName: name, role });
  const run = await pmsg(['enrol', '--profile', dir, '--server', relay.relay.url, '--code', code]);
  expect(run.code, run.stderr).toBe(0);
  return { dir, accountId };
}

describe('pmsg client group', () => {
  it('create, send, receive with groupId, history, add, remove, leave, list', async () => {
    const lead = await enrolled('Dr Lead', 'clinician');
    const nurse = await enrolled('Nurse N', 'nurse');
    const desk = await enrolled('Reception R', 'reception');

    const created = await pmsg([
      'group',
      'create',
      '--profile',
      lead.dir,
      '--name',
      'Care of Mr B',
      '--members',
      `${nurse.accountId},${desk.accountId}`,
    ]);
    expect(created.code, created.stderr).toBe(0);
    const group = JSON.parse(created.stdout) as {
      groupId: string;
      members: { accountId: string; admin: boolean }[];
    };
    expect(group.groupId).toMatch(/^[0-9a-f-]{36}$/);
    expect(group.members).toHaveLength(3);
    expect(group.members.find((m) => m.accountId === lead.accountId)?.admin).toBe(true);

    const sent = await pmsg([
      'send',
      '--profile',
      lead.dir,
      '--group',
      group.groupId,
      '--text',
      'Plan for today',
    ]);
    expect(sent.code, sent.stderr).toBe(0);
    expect(JSON.parse(sent.stdout)).toMatchObject({ status: 'sent', groupId: group.groupId });

    for (const member of [nurse, desk]) {
      const received = await pmsg(['receive', '--profile', member.dir]);
      expect(received.code, received.stderr).toBe(0);
      const texts = lines(received).filter((l) => l.kind === undefined);
      expect(texts).toEqual([
        expect.objectContaining({
          groupId: group.groupId,
          from: lead.accountId,
          text: 'Plan for today',
        }),
      ]);
      // Every line of the group, notices included, names it.
      expect(lines(received).every((l) => l.groupId === group.groupId)).toBe(true);
    }
    const list = await pmsg(['group', 'list', '--profile', nurse.dir]);
    expect(JSON.parse(list.stdout)).toMatchObject({
      groups: [{ groupId: group.groupId, name: 'Care of Mr B', isMember: true, isAdmin: false }],
    });

    // Admins rename the group and set its timer; a member who is not an admin may not.
    const notAdmin = await pmsg([
      'group',
      'rename',
      '--profile',
      nurse.dir,
      '--group',
      group.groupId,
      '--name',
      'Nurses only',
    ]);
    expect(notAdmin.code).toBe(1);
    expect(notAdmin.stderr).toContain("Only the group's admins can rename the group");
    const renamed = await pmsg([
      'group',
      'rename',
      '--profile',
      lead.dir,
      '--group',
      group.groupId,
      '--name',
      'Care of Mr B (home visits)',
    ]);
    expect(renamed.code, renamed.stderr).toBe(0);
    expect(JSON.parse(renamed.stdout)).toMatchObject({ name: 'Care of Mr B (home visits)' });
    const timed = await pmsg([
      'group',
      'timer',
      '--profile',
      lead.dir,
      '--group',
      group.groupId,
      '--seconds',
      '86400',
    ]);
    expect(timed.code, timed.stderr).toBe(0);
    expect(JSON.parse(timed.stdout)).toMatchObject({ disappearingSeconds: 86400 });
    const noticed = await pmsg(['receive', '--profile', nurse.dir]);
    expect(noticed.stdout).toContain('renamed the group');
    expect(noticed.stdout).toContain('set messages to disappear 1 day after they are sent');
    expect(
      JSON.parse((await pmsg(['group', 'list', '--profile', nurse.dir])).stdout),
    ).toMatchObject({
      groups: [{ name: 'Care of Mr B (home visits)', disappearingSeconds: 86400 }],
    });

    // The nurse replies; the lead reads both in the group's history.
    expect(
      (await pmsg(['send', '--profile', nurse.dir, '--group', group.groupId, '--text', 'Noted']))
        .code,
    ).toBe(0);
    expect((await pmsg(['receive', '--profile', lead.dir])).code).toBe(0);
    const history = await pmsg(['history', '--profile', lead.dir, '--group', group.groupId]);
    expect(history.code, history.stderr).toBe(0);
    expect(
      lines(history)
        .filter((l) => l.kind === undefined)
        .map((l) => l.text),
    ).toEqual(['Plan for today', 'Noted']);

    // A non-admin cannot remove; the admin can; the removed member learns it.
    const refused = await pmsg([
      'group',
      'remove',
      '--profile',
      nurse.dir,
      '--group',
      group.groupId,
      '--member',
      desk.accountId,
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/Only the group's admins/);
    const removed = await pmsg([
      'group',
      'remove',
      '--profile',
      lead.dir,
      '--group',
      group.groupId,
      '--member',
      desk.accountId,
    ]);
    expect(removed.code, removed.stderr).toBe(0);
    expect((JSON.parse(removed.stdout) as { members: unknown[] }).members).toHaveLength(2);
    expect((await pmsg(['receive', '--profile', desk.dir])).code).toBe(0);
    const deskList = JSON.parse((await pmsg(['group', 'list', '--profile', desk.dir])).stdout) as {
      groups: { isMember: boolean }[];
    };
    expect(deskList.groups[0]?.isMember).toBe(false);
    const notMember = await pmsg([
      'send',
      '--profile',
      desk.dir,
      '--group',
      group.groupId,
      '--text',
      'hello?',
    ]);
    expect(notMember.code).toBe(1);

    // Added again; then the nurse leaves.
    const added = await pmsg([
      'group',
      'add',
      '--profile',
      lead.dir,
      '--group',
      group.groupId,
      '--member',
      desk.accountId,
    ]);
    expect(added.code, added.stderr).toBe(0);
    expect((await pmsg(['receive', '--profile', nurse.dir])).code).toBe(0);
    const left = await pmsg(['group', 'leave', '--profile', nurse.dir, '--group', group.groupId]);
    expect(left.code, left.stderr).toBe(0);
    expect(JSON.parse(left.stdout)).toMatchObject({ isMember: false });
  });

  it('documents the commands and exits 2 on bad usage', async () => {
    const help = await pmsg(['--help']);
    for (const name of [
      'group create',
      'group add',
      'group remove',
      'group leave',
      'group list',
      'group rename',
      'group timer',
    ]) {
      expect(help.stdout).toContain(name);
    }
    expect(help.stdout).toContain('--group <groupId>');
    const one = await pmsg(['group', 'create', '--help']);
    expect(one.code).toBe(0);
    expect(one.stdout).toContain('--members <accountId,...>');
    const dir = path.join(temp.dir, 'nobody');
    for (const args of [
      ['group', 'create', '--profile', dir, '--name', 'X'],
      ['group', 'add', '--profile', dir, '--group', 'g'],
      ['group', 'frobnicate', '--profile', dir],
      ['group'],
      ['send', '--profile', dir, '--text', 'to nobody'],
      [
        'send',
        '--profile',
        dir,
        '--to',
        '00000000-0000-4000-8000-000000000000',
        '--group',
        '00000000-0000-4000-8000-000000000001',
        '--text',
        'both',
      ],
      ['history', '--profile', dir],
      ['group', 'rename', '--profile', dir, '--group', '00000000-0000-4000-8000-000000000001'],
      [
        'group',
        'timer',
        '--profile',
        dir,
        '--group',
        '00000000-0000-4000-8000-000000000001',
        '--seconds',
        'an hour',
      ],
    ]) {
      const run = await pmsg(args);
      expect(run.code, args.join(' ')).toBe(2);
    }
  });
});
