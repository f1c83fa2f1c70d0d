import { validateFhirCommunication as validateFhir } from '../core/helpers/fhir-schema.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runClientCli } from '../../../main/cli/run-client-cli.js';
import { enrolledProfile, storeMessage, type Person } from '../core/helpers/clinical-profile.js';
import { PASSCODE, makeTempDir, newStore } from '../core/helpers/temp-profiles.js';

const gp: Person = {
  accountId: '0b6f3a52-8c1d-4e7a-9f00-1a2b3c4d5e6f',
  displayName: 'Dr Amira Khan',
  role: 'clinician',
};
const reception: Person = {
  accountId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
  displayName: 'Jane Doe',
  role: 'reception',
};
const asked = Date.UTC(2025, 2, 3, 9, 14);

let temp: ReturnType<typeof makeTempDir>;
let messageIds: string[];

beforeEach(async () => {
  temp = makeTempDir();
  const profile = await enrolledProfile(newStore(temp.dir), gp, asked, [reception]);
  messageIds = [
    storeMessage(profile, {
      self: gp,
      peer: reception,
      sender: reception,
      text: 'Can Mrs X have ibuprofen?',
      sentAt: asked,
    }).id,
    storeMessage(profile, {
      self: gp,
      peer: reception,
      sender: gp,
      text: 'Yes, with food.',
      sentAt: asked + 6 * 60_000,
    }).id,
  ];
  profile.close();
});
afterEach(() => temp.cleanup());

async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runClientCli(['transcribe', ...args], {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    env: { PMSG_PASSCODE: PASSCODE },
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const base = () => [
  '--profile',
  temp.dir,
  '--with',
  reception.accountId,
  '--messages',
  messageIds.join(','),
];

describe('pmsg client transcribe', () => {
  it('prints the plain-text entry, compact by default', async () => {
    const { code, out, err } = await run([...base(), '--nhs-number', '943 476 5919']);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toContain('Patient NHS number: 943 476 5919');
    expect(out).toContain(
      '09:14 Jane Doe (Reception): Can Mrs X have ibuprofen?\n09:20 Dr Amira Khan (Clinician): Yes, with food.',
    );
    expect(out).toContain('Advice given by: Dr Amira Khan (Clinician)');
    expect(out).toMatch(
      /^Transcribed by: Dr Amira Khan \(Clinician\), \d\d-\w{3}-\d{4} \d\d:\d\d$/m,
    );
    expect(out).not.toContain(messageIds[0]!);
  });

  it('--template full quotes each message under a dated line and lists the ids', async () => {
    const { code, out } = await run([
      ...base(),
      '--nhs-number',
      '943 476 5919',
      '--template',
      'full',
      '--dob',
      '03/04/1956',
    ]);
    expect(code).toBe(0);
    expect(out).toContain(
      '03-Mar-2025 09:14 Jane Doe (Reception) wrote:\n    Can Mrs X have ibuprofen?',
    );
    expect(out).toContain(`messages ${messageIds.join(', ')}`);
    expect(out).toContain('Patient date of birth: 03-Apr-1956');
  });

  it('prints FHIR JSON that validates, and confirms nothing', async () => {
    const { code, out } = await run([
      ...base(),
      '--nhs-number',
      '9990000018',
      '--format',
      'fhir',
      '--action',
      'Call back',
    ]);
    expect(code).toBe(0);
    const resource = JSON.parse(out);
    expect(validateFhir(resource)).toBe(true);
    expect(resource.contained[0].identifier[0].value).toBe('9990000018');
    expect(resource.sender.display).toBe('Dr Amira Khan (Clinician)');
    const profile = await newStore(temp.dir).unlock(newStore(temp.dir).list()[0]!.id, PASSCODE);
    try {
      // Nothing about the transcription (the CLI's unlock records only the policy it ran under).
      expect(profile.repositories.audit.list().filter((e) => e.action !== 'policy.loaded')).toEqual(
        [],
      );
      expect(profile.repositories.messages.get(messageIds[0]!)?.transcribedAt).toBeNull();
    } finally {
      profile.close();
    }
  });

  it('the same selection gives the same FHIR id every time', async () => {
    const args = [...base(), '--nhs-number', '9990000018', '--format', 'fhir'];
    const first = JSON.parse((await run(args)).out) as { id: string };
    const second = JSON.parse((await run(args)).out) as { id: string };
    expect(first.id).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(second.id).toBe(first.id);
  });

  it('fails with a clear reason for an invalid NHS number, format or message id', async () => {
    const invalid = await run([...base(), '--nhs-number', '943 476 5918']);
    expect(invalid.code).toBe(1);
    expect(invalid.err).toMatch(/NHS number is not valid/);
    expect(invalid.err).not.toContain('9434765918');
    expect(invalid.out).toBe('');

    const format = await run([...base(), '--nhs-number', '9434765919', '--format', 'pdf']);
    expect(format.code).toBe(2);
    expect(format.err).toMatch(/--format must be "text" or "fhir"/);

    const template = await run([...base(), '--nhs-number', '9434765919', '--template', 'long']);
    expect(template.code).toBe(2);
    expect(template.err).toMatch(/--template must be "compact" or "full"/);

    const dob = await run([...base(), '--nhs-number', '9434765919', '--dob', '31/04/1956']);
    expect(dob.code).toBe(2);
    expect(dob.err).toMatch(/--dob must be a real date written dd\/mm\/yyyy/);

    const ids = await run([
      '--profile',
      temp.dir,
      '--with',
      reception.accountId,
      '--messages',
      'ok-id-1234,bad id',
      '--nhs-number',
      '9434765919',
    ]);
    expect(ids.code).toBe(2);
    expect(ids.err).toMatch(/"bad id" is not a message id/);

    const missing = await run([
      '--profile',
      temp.dir,
      '--with',
      reception.accountId,
      '--nhs-number',
      '9434765919',
    ]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/--messages is required/);
  });
});

describe('pmsg client transcribe: who gave the advice', () => {
  let ids: string[];
  beforeEach(async () => {
    const profile = await newStore(temp.dir).unlock(newStore(temp.dir).list()[0]!.id, PASSCODE);
    try {
      // Question, answer, thanks: the last message is the receptionist's, the advice the GP's.
      ids = [
        ...messageIds,
        storeMessage(profile, {
          self: gp,
          peer: reception,
          sender: reception,
          text: 'Thanks, will let her know',
          sentAt: asked + 9 * 60_000,
        }).id,
      ];
    } finally {
      profile.close();
    }
  });

  const select = (messages: string[]) => [
    '--profile',
    temp.dir,
    '--with',
    reception.accountId,
    '--messages',
    messages.join(','),
    '--nhs-number',
    '943 476 5919',
  ];

  it('is the last clinician in the selection, at the time of their message, not the thanks', async () => {
    const { code, out } = await run(select(ids));
    expect(code).toBe(0);
    expect(out).toContain('Advice given by: Dr Amira Khan (Clinician)');
    expect(out).toContain('Advice given: 03-Mar-2025 09:20');
    expect(out).toContain('Asked by: Jane Doe (Reception)');
    const fhir = JSON.parse((await run([...select(ids), '--format', 'fhir'])).out);
    expect(fhir.sender.display).toBe('Dr Amira Khan (Clinician)');
    expect(fhir.sent).toBe('2025-03-03T09:20:00.000Z');
  });

  it('with no clinician in the selection, --advice-by is required and checked', async () => {
    const onlyReception = [ids[0]!, ids[2]!];
    const missing = await run(select(onlyReception));
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/No clinician wrote in the selected messages.*--advice-by/);
    expect(missing.err).toContain(gp.accountId);
    expect(missing.out).toBe('');

    const chosen = await run([...select(onlyReception), '--advice-by', gp.accountId]);
    expect(chosen.err).toBe('');
    expect(chosen.code).toBe(0);
    expect(chosen.out).toContain('Advice given by: Dr Amira Khan (Clinician)');

    const stranger = await run([
      ...select(ids),
      '--advice-by',
      'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
    ]);
    expect(stranger.code).toBe(2);
    expect(stranger.err).toMatch(/--advice-by: that account neither wrote/);

    const malformed = await run([...select(ids), '--advice-by', 'dr-khan']);
    expect(malformed.code).toBe(2);
    expect(malformed.err).toMatch(/--advice-by must be an account id/);
  });

  it('--advice-by may name another author in the selection', async () => {
    const { code, out } = await run([...select(ids), '--advice-by', reception.accountId]);
    expect(code).toBe(0);
    expect(out).toContain('Advice given by: Jane Doe (Reception)');
    expect(out).toContain('Advice given: 03-Mar-2025 09:23');
  });

  it('documents --advice-by and --template in --help', async () => {
    const { code, out } = await run(['--help']);
    expect(code).toBe(0);
    expect(out).toMatch(/--advice-by <accountId>/);
    expect(out).toMatch(/last author in a clinical role/);
    expect(out).toMatch(/--template compact\|full/);
  });
});
