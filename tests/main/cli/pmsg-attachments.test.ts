// `pmsg client send --file` and `pmsg client receive --save-to` (issue 21), in-process against a
// real relay and two real profiles.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runClientCli } from '../../../main/cli/run-client-cli.js';
import { startTestRelay, type TestRelay } from '../../server/test-relay.js';
import { makeTempDir } from '../core/helpers/temp-profiles.js';

const env = { PMSG_PASSCODE: 'cli passcode 42' };

async function pmsg(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runClientCli(args, { out: (l) => out.push(l), err: (l) => err.push(l), env });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

let relay: TestRelay;
let temp: ReturnType<typeof makeTempDir>;
let sender: string;
let gp: string;
let gpId: string;

beforeAll(async () => {
  relay = await startTestRelay();
  temp = makeTempDir('pmsg-cli-attach-');
  sender = path.join(temp.dir, 'reception');
  gp = path.join(temp.dir, 'gp');
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
}, 60_000);
afterAll(async () => {
  await relay.stop();
  temp.cleanup();
});

describe('pmsg client send --file / receive --save-to', () => {
  it('sends a PDF and the receiver saves the identical bytes, printing the path', async () => {
    const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(700_000)]);
    const file = path.join(temp.dir, 'discharge letter.pdf');
    writeFileSync(file, pdf);
    const sent = await pmsg(['send', '--profile', sender, '--to', gpId, '--file', file]);
    expect(sent.code, sent.err).toBe(0);
    const answer = JSON.parse(sent.out) as { status: string; attachment: { type: string } };
    expect(answer.status).toBe('sent');
    expect(answer.attachment.type).toBe('application/pdf');

    const inbox = path.join(temp.dir, 'inbox');
    mkdirSync(inbox);
    const got = await pmsg(['receive', '--profile', gp, '--save-to', inbox]);
    expect(got.code, got.err).toBe(0);
    const line = JSON.parse(got.out.split('\n').filter(Boolean).at(-1) ?? '{}') as {
      file: string;
      attachment: { name: string; size: number };
    };
    expect(line.file).toBe(path.join(inbox, 'discharge letter.pdf'));
    expect(line.attachment.size).toBe(pdf.length);
    expect(readFileSync(line.file).equals(pdf)).toBe(true);
  }, 60_000);

  it('sends a file to a group; the member saves the identical bytes, with the group named', async () => {
    const created = await pmsg([
      'group',
      'create',
      '--profile',
      sender,
      '--name',
      'Letters',
      '--members',
      gpId,
    ]);
    expect(created.code, created.err).toBe(0);
    const { groupId } = JSON.parse(created.out) as { groupId: string };
    const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(300_000)]);
    const file = path.join(temp.dir, 'group letter.pdf');
    writeFileSync(file, pdf);
    const sent = await pmsg(['send', '--profile', sender, '--group', groupId, '--file', file]);
    expect(sent.code, sent.err).toBe(0);
    expect(JSON.parse(sent.out)).toMatchObject({ status: 'sent', groupId });

    const inbox = path.join(temp.dir, 'group-inbox');
    mkdirSync(inbox);
    const got = await pmsg(['receive', '--profile', gp, '--save-to', inbox]);
    expect(got.code, got.err).toBe(0);
    const line = JSON.parse(
      got.out
        .split('\n')
        .filter((l) => l.includes('"file"'))
        .at(-1) ?? '{}',
    ) as { file: string; groupId: string };
    expect(line.groupId).toBe(groupId);
    expect(readFileSync(line.file).equals(pdf)).toBe(true);
  }, 60_000);

  it('refuses a renamed program and bad usage with clear errors', async () => {
    const exe = path.join(temp.dir, 'photo.jpg');
    writeFileSync(exe, Buffer.concat([Buffer.from('MZ'), randomBytes(2000)]));
    const refused = await pmsg(['send', '--profile', sender, '--to', gpId, '--file', exe]);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/Windows program/);
    const missing = await pmsg(['send', '--profile', sender, '--to', gpId, '--file', exe + '.no']);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/no readable file/);
    const neither = await pmsg(['send', '--profile', sender, '--to', gpId]);
    expect(neither.code).toBe(2);
    expect(neither.err).toMatch(/--text or --file is required/);
    const noFolder = await pmsg(['receive', '--profile', gp, '--save-to', exe + '.dir']);
    expect(noFolder.code).toBe(1);
    expect(noFolder.err).toMatch(/no such folder/);
  }, 60_000);
});
