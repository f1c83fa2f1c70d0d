import { validateFhirCommunication as validateFhir } from '../helpers/fhir-schema.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runClientCli } from '../../../../main/core/cli/run-client-cli.js';
import { enrolledProfile, storeMessage, type Person } from '../helpers/clinical-profile.js';
import { PASSCODE, makeTempDir, newStore } from '../helpers/temp-profiles.js';

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
  it('prints the plain-text entry', async () => {
    const { code, out, err } = await run([...base(), '--nhs-number', '943 476 5919']);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toContain('Patient NHS number: 943 476 5919');
    expect(out).toContain(
      '03-Mar-2025 09:14 Jane Doe (Receptionist) wrote:\n    Can Mrs X have ibuprofen?',
    );
    expect(out).toContain('Advice given by: Dr Amira Khan (Clinician)');
    expect(out).toContain('Transcribed by: Dr Amira Khan (Clinician)');
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
    expect(resource.identifier.map((i: { value: string }) => i.value)).toEqual(messageIds);
    const profile = await newStore(temp.dir).unlock(newStore(temp.dir).list()[0]!.id, PASSCODE);
    try {
      expect(profile.repositories.audit.list()).toEqual([]);
      expect(profile.repositories.messages.get(messageIds[0]!)?.transcribedAt).toBeNull();
    } finally {
      profile.close();
    }
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
