// `pmsg client send --file` and `pmsg client receive --save-to` (issue 21), in-process against a
// real relay and two real profiles.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unlockCliProfile } from '../../../main/cli/cli-profile.js';
import { startTestRelay, type TestRelay } from '../../server/test-relay.js';
import { makeTempDir } from '../core/helpers/temp-profiles.js';
import { runPmsg } from './run-pmsg.js';

const env = { PMSG_PASSCODE: 'cli passcode 42' };

/** stdout as one string: these tests read one JSON answer or a help text. */
async function pmsg(args: string[]) {
  const run = await runPmsg(args, env.PMSG_PASSCODE);
  return { ...run, out: run.out.join('\n') };
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

    // Transcribed, the entry lists the letter; --save-files saves it beside the entry on request.
    const { messageId, from } = line as unknown as { messageId: string; from: string };
    const record = path.join(temp.dir, 'record');
    mkdirSync(record);
    const transcribe = (...extra: string[]) =>
      pmsg([
        'transcribe',
        ...['--profile', gp, '--with', from, '--messages', messageId],
        ...['--nhs-number', '943 476 5919', '--advice-by', gpId, ...extra],
      ]);
    const entry = await transcribe('--save-files', record);
    expect(entry.code, entry.err).toBe(0);
    expect(entry.out).toContain('- discharge letter.pdf (application/pdf, ');
    const saved = JSON.parse(entry.err.split('\n').filter(Boolean).at(-1) ?? '{}') as {
      savedFiles: string[];
    };
    expect(saved.savedFiles).toEqual([path.join(record, 'discharge letter.pdf')]);
    expect(readFileSync(path.join(record, 'discharge letter.pdf')).equals(pdf)).toBe(true);
    const nowhere = await transcribe('--save-files', path.join(record, 'missing'));
    expect(nowhere.code).toBe(1);
    expect(nowhere.err).toMatch(/--save-files .*no such folder/);

    // The GP answers the letter with a file, urgently.
    const reply = path.join(temp.dir, 'reply.pdf');
    writeFileSync(reply, Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(2000)]));
    const replyWith = (...extra: string[]) =>
      pmsg(['send', '--profile', gp, '--to', from, '--file', reply, '--urgent', ...extra]);
    const badId = await replyWith('--reply-to', 'not an id');
    expect(badId.code).toBe(2);
    expect(badId.err).toMatch(/--reply-to needs a message id/);
    const answered = await replyWith('--reply-to', messageId);
    expect(answered.code, answered.err).toBe(0);
    const back = await pmsg(['receive', '--profile', sender]);
    expect(back.code, back.err).toBe(0);
    const backLine = JSON.parse(back.out.split('\n').filter(Boolean).at(-1) ?? '{}') as {
      urgent?: boolean;
      attachment?: { name: string };
    };
    expect(backLine).toMatchObject({ urgent: true, attachment: { name: 'reply.pdf' } });
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

  it('asks the image question: a photo needs --shows-patient-details yes|no, and the answer is audited', async () => {
    const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(30_000)]);
    const file = path.join(temp.dir, 'rash.jpg');
    writeFileSync(file, jpeg);
    const send = (...extra: string[]) =>
      pmsg(['send', '--profile', sender, '--to', gpId, '--file', file, ...extra]);
    const unanswered = await send();
    expect(unanswered.code).toBe(2);
    expect(unanswered.err).toMatch(/--shows-patient-details yes or --shows-patient-details no/);
    expect(unanswered.err).toMatch(/Does this show patient details\?/);
    const wrong = await send('--shows-patient-details', 'maybe');
    expect(wrong.code).toBe(2);
    expect(wrong.err).toMatch(/--shows-patient-details must be yes or no/);
    const textOnly = await pmsg([
      'send',
      ...['--profile', sender, '--to', gpId, '--text', 'hello'],
      ...['--shows-patient-details', 'no'],
    ]);
    expect(textOnly.code).toBe(2);
    expect(textOnly.err).toMatch(/goes with --file/);
    expect((await pmsg(['send', '--help'])).out).toContain('--shows-patient-details');

    const answered = await send('--shows-patient-details', 'yes');
    expect(answered.code, answered.err).toBe(0);
    const { messageId } = JSON.parse(answered.out) as { messageId: string };
    // The practice may turn the question off: then no answer is needed and none is audited.
    const noQuestion = path.join(temp.dir, 'no-image-question.json');
    writeFileSync(noQuestion, JSON.stringify({ askImagePatientDetails: false }));
    const unasked = await send('--policy', noQuestion);
    expect(unasked.code, unasked.err).toBe(0);

    const profile = await unlockCliProfile(sender, {
      out: () => undefined,
      err: () => undefined,
      env,
    });
    try {
      const answers = profile.repositories.audit
        .list()
        .filter((e) => e.action === 'attachment.image_pid_answered');
      expect(answers).toHaveLength(1);
      expect(answers[0]?.messageIds).toEqual([messageId]);
      expect(answers[0]?.details).toEqual({ showsPatientDetails: 'yes' });
      expect(JSON.stringify(answers)).not.toContain('rash');
    } finally {
      profile.close();
    }
  }, 60_000);
});
