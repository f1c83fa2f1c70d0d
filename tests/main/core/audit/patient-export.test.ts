import { mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  exportPatientMessages,
  mentionsNhsNumber,
} from '../../../../main/core/audit/patient-export.js';
import type { OpenProfile } from '../../../../main/core/profile/open-profile.js';
import { patientRefHash } from '../../../../main/core/transcription/patient-ref-hash.js';
import { isMessengerError } from '../../../../shared/errors.js';
import {
  GP,
  MANAGER,
  RECEPTION,
  enrolledProfile,
  storeMessage,
} from '../helpers/clinical-profile.js';
import { PASSCODE, makeTempDir, newStore } from '../helpers/temp-profiles.js';

// Subject access by patient (issue 16 item 4): every conversation on a device that mentions one
// NHS number, that patient's messages only; another patient's messages in the same conversation
// stay out, and finding nothing is a failure, not "Exported 0 messages".

const t0 = Date.UTC(2026, 10, 2, 8, 0);
const patientA = '943 476 5919';
const patientB = '401 023 2137';

let temp: ReturnType<typeof makeTempDir>;
let profile: OpenProfile;
let folder: string;
let ids: Record<string, string>;

beforeEach(async () => {
  temp = makeTempDir('pmsg-patient-export-');
  profile = await enrolledProfile(newStore(path.join(temp.dir, 'profiles')), GP, t0);
  folder = path.join(temp.dir, 'sar');
  mkdirSync(folder);
  const say = (peer: typeof RECEPTION, sender: typeof GP, text: string, minutes: number) =>
    storeMessage(profile, { self: GP, peer, sender, text, sentAt: t0 + minutes * 60_000 }).id;
  ids = {
    aAsked: say(RECEPTION, RECEPTION, `Mrs A (NHS ${patientA}) asks about ibuprofen`, 1),
    bAsked: say(RECEPTION, RECEPTION, `And Mr B, 4010232137, wants a call back`, 2),
    reply: say(RECEPTION, GP, 'Yes, with food.', 3),
    aElsewhere: say(MANAGER, MANAGER, 'Complaint from 943-476-5919 about the wait', 4),
    other: say(MANAGER, GP, 'Staff meeting at 1', 5),
  };
  // The reply was transcribed into patient A's record: it is A's though it holds no number.
  profile.repositories.audit.append({
    at: t0 + 10 * 60_000,
    actorAccountId: GP.accountId,
    action: 'transcription.confirmed',
    conversationId: profile.repositories.conversations.findDirect(RECEPTION.accountId)!.id,
    messageIds: [ids.aAsked!, ids.reply!],
    patientRefHash: patientRefHash(profile.repositories.settings, patientA, t0),
  });
});
afterEach(() => {
  if (!profile.closed) profile.close();
  temp.cleanup();
});

const request = (nhsNumber: string) => ({
  nhsNumber,
  passcode: PASSCODE,
  reference: 'SAR-2026-031',
  chooseFolder: async () => folder,
});

describe('subject access by patient', () => {
  it('finds the number however it is spaced, and not a near miss', () => {
    expect(mentionsNhsNumber('NHS 943 476 5919.', '9434765919')).toBe(true);
    expect(mentionsNhsNumber('ref 943-476-5919', '9434765919')).toBe(true);
    expect(mentionsNhsNumber('9434765919', '9434765919')).toBe(true);
    expect(mentionsNhsNumber('943 476 5918', '9434765919')).toBe(false);
    expect(mentionsNhsNumber('no number here', '9434765919')).toBe(false);
  });

  it("exports that patient's messages only, across conversations, and audits each file", async () => {
    const result = await exportPatientMessages(
      profile,
      { allowExport: true },
      request(patientA),
      () => t0 + 3_600_000,
    );
    expect(result).toMatchObject({ exported: true, conversations: 2, messageCount: 3 });
    expect(readdirSync(folder).sort()).toEqual([...result.files].sort());
    const exported = result.files
      .filter((f) => f.endsWith('.json'))
      .map(
        (f) =>
          JSON.parse(readFileSync(path.join(folder, f), 'utf8')) as {
            messages: { id: string; text: string }[];
          },
      );
    const messageIds = exported.flatMap((d) => d.messages.map((m) => m.id)).sort();
    expect(messageIds).toEqual([ids.aAsked, ids.reply, ids.aElsewhere].sort());
    // Patient B's message in the same conversation is not disclosed, in either file.
    for (const file of result.files) {
      const text = readFileSync(path.join(folder, file), 'utf8');
      expect(text).not.toContain('4010232137');
      expect(text).not.toContain('Mr B');
      expect(text).not.toContain('Staff meeting');
      if (process.platform !== 'win32')
        expect(statSync(path.join(folder, file)).mode & 0o777).toBe(0o600);
    }
    const audited = profile.repositories.audit
      .list()
      .filter((r) => r.action === 'conversation.exported');
    expect(audited).toHaveLength(2);
    const hashA = patientRefHash(profile.repositories.settings, patientA, t0);
    for (const record of audited) {
      expect(record.patientRefHash).toBe(hashA);
      expect(record.details).toMatchObject({ scope: 'patient', reference: 'SAR-2026-031' });
    }
  });

  it('patient B gets only their own message', async () => {
    const result = await exportPatientMessages(profile, { allowExport: true }, request(patientB));
    expect(result).toMatchObject({ exported: true, conversations: 1, messageCount: 1 });
    const json = readFileSync(path.join(folder, result.files[1]!), 'utf8');
    expect(json).toContain(ids.bAsked);
    expect(json).not.toContain('ibuprofen');
    expect(json).not.toContain('Yes, with food.');
  });

  it('fails when nothing mentions the patient, writing nothing, and refuses a bad number', async () => {
    const nobody = await exportPatientMessages(
      profile,
      { allowExport: true },
      request('485 777 3457'),
    ).catch((e: unknown) => e);
    expect(isMessengerError(nobody, 'not_found')).toBe(true);
    expect((nobody as Error).message).toMatch(/nothing was exported/);
    expect(readdirSync(folder)).toEqual([]);
    expect(
      profile.repositories.audit.list().filter((r) => r.action === 'conversation.exported'),
    ).toEqual([]);

    const mistyped = await exportPatientMessages(
      profile,
      { allowExport: true },
      request('943 476 5918'),
    ).catch((e: unknown) => e);
    expect(isMessengerError(mistyped, 'invalid_input')).toBe(true);
    const refused = await exportPatientMessages(
      profile,
      { allowExport: false },
      request(patientA),
    ).catch((e: unknown) => e);
    expect(isMessengerError(refused, 'policy_restricted')).toBe(true);
    const wrong = await exportPatientMessages(
      profile,
      { allowExport: true },
      { ...request(patientA), passcode: 'wrong passcode' },
    ).catch((e: unknown) => e);
    expect(isMessengerError(wrong, 'invalid_passcode')).toBe(true);
    expect(readdirSync(folder)).toEqual([]);
  });
});
