import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliProfileStore, singleProfileId } from '../../../main/cli/cli-profile.js';
import { PatientKeySync } from '../../../main/core/audit/patient-key-sync.js';
import { PracticeAuditForwarder } from '../../../main/core/audit/practice-audit-forwarder.js';
import { MessagingCore } from '../../../main/core/messaging/messaging-core.js';
import { readRelayAccount } from '../../../main/core/messaging/relay-account.js';
import type { OpenProfile } from '../../../main/core/profile/open-profile.js';
import { patientRefHash } from '../../../main/core/transcription/patient-ref-hash.js';
import { startTestRelay, type TestRelay } from '../../server/test-relay.js';
import { GP, storeMessage } from '../core/helpers/clinical-profile.js';
import { makeTempDir } from '../core/helpers/temp-profiles.js';
import { runPmsg } from './run-pmsg.js';

// `pmsg client sar` over a real relay: the manager's export carries the practice trail's
// entries about the patient (a GP's transcription on another PC among them) and records itself
// in the trail; a receptionist's export says plainly that the trail is not included, and why.

const passcode = 'cli passcode 42';
const patient = '943 476 5919';
const otherPatient = '4010232137';

const pmsg = (args: string[]) => runPmsg(args, passcode);

let relay: TestRelay;
let temp: ReturnType<typeof makeTempDir>;
let policyFile: string;
const dirs: Record<'manager' | 'gp' | 'reception', string> = { manager: '', gp: '', reception: '' };

async function enrol(
  who: keyof typeof dirs,
  name: string,
  role: 'manager' | 'clinician' | 'reception',
) {
  dirs[who] = path.join(temp.dir, who);
  const { code } = await relay.relay.enrol({ displayName: name, role });
  const run = await pmsg([
    'enrol',
    '--profile',
    dirs[who],
    '--server',
    relay.relay.url,
    '--code',
    code,
  ]);
  expect(run.code, run.err).toBe(0);
}

async function withProfile<T>(who: keyof typeof dirs, work: (profile: OpenProfile) => Promise<T>) {
  const store = cliProfileStore(dirs[who]);
  const profile = await store.unlock(singleProfileId(store, dirs[who])!, passcode);
  try {
    return await work(profile);
  } finally {
    profile.close();
  }
}

/** A message on this PC that mentions the patient, so the export has something to write. */
function mention(profile: OpenProfile, text: string) {
  const self = readRelayAccount(profile.repositories.settings)!.accountId;
  storeMessage(profile, {
    self: { accountId: self, displayName: 'me', role: 'manager' },
    peer: GP,
    sender: GP,
    text,
    sentAt: Date.now(),
  });
}

function sar(who: keyof typeof dirs, out: string) {
  mkdirSync(out, { recursive: true });
  return pmsg([
    'sar',
    '--profile',
    dirs[who],
    '--patient',
    patient,
    '--out',
    out,
    '--reference',
    'SAR-11',
    '--policy',
    policyFile,
  ]);
}

interface SarResult {
  exported: boolean;
  files: string[];
  auditEntries: number;
  practiceTrail: { included: boolean; reason?: string; intact?: boolean; exportRecorded: boolean };
}

beforeAll(async () => {
  relay = await startTestRelay();
  temp = makeTempDir('pmsg-cli-sar-trail-');
  policyFile = path.join(temp.dir, 'policy.json');
  writeFileSync(policyFile, '{"allowExport":true}');
  await enrol('manager', 'Sam Lee', 'manager');
  await enrol('gp', 'Dr Amira Khan', 'clinician');
  await enrol('reception', 'Jane Doe', 'reception');
  // The GP's PC makes the practice patient key and transcribes for two patients; the records
  // reach the practice trail sealed to the manager.
  await withProfile('gp', async (profile) => {
    const core = MessagingCore.open(profile);
    try {
      const account = readRelayAccount(profile.repositories.settings)!;
      await new PatientKeySync(profile.repositories, account, core.relay).sync();
      for (const [nhs, messageId] of [
        [patient, 'msg-gp-for-patient'],
        [otherPatient, 'msg-gp-other-patient'],
      ] as const) {
        profile.repositories.audit.append({
          at: Date.now(),
          actorAccountId: account.accountId,
          action: 'transcription.confirmed',
          conversationId: 'conv-gp-1',
          messageIds: [messageId],
          patientRefHash: patientRefHash(profile.repositories.settings, nhs, Date.now()),
          details: {},
        });
      }
      await new PracticeAuditForwarder(profile.repositories, account, core.relay).flush();
    } finally {
      core.stop();
    }
  });
  await withProfile('manager', (p) => Promise.resolve(mention(p, 'Re 943 476 5919: call back')));
  await withProfile('reception', (p) => Promise.resolve(mention(p, 'Mrs A 9434765919 rang')));
}, 180_000);
afterAll(async () => {
  await relay?.stop();
  temp?.cleanup();
});

describe('pmsg client sar and the practice trail', () => {
  it("puts the GP's transcription for the patient in the manager's export, and records it", async () => {
    const out = path.join(temp.dir, 'sar-manager');
    const run = await sar('manager', out);
    expect(run.code, run.err).toBe(0);
    const result = JSON.parse(run.out[0]!) as SarResult;
    expect(result.practiceTrail).toEqual({
      included: true,
      intact: true,
      brokenAt: null,
      exportRecorded: true,
    });
    expect(result.auditEntries).toBe(1);
    const trailFile = result.files.find((f) => f.endsWith('-practice-audit.json'));
    expect(trailFile).toBeDefined();
    const document = JSON.parse(readFileSync(path.join(out, trailFile!), 'utf8')) as {
      entries: { action: string; messageIds: string[] }[];
    };
    expect(document.entries.flatMap((e) => e.messageIds)).toEqual(['msg-gp-for-patient']);
    expect(readFileSync(path.join(out, trailFile!), 'utf8')).not.toMatch(/9434765919|943 476 5919/);

    // The export is now in the practice trail: a second export finds it among the patient's
    // entries (the export's record names the patient by the keyed hash).
    const again = await sar('manager', path.join(temp.dir, 'sar-manager-2'));
    expect(again.code, again.err).toBe(0);
    const second = JSON.parse(again.out[0]!) as SarResult;
    expect(second.auditEntries).toBe(2);
  }, 180_000);

  it("says plainly that a receptionist's export leaves the trail out, and still records it", async () => {
    const run = await sar('reception', path.join(temp.dir, 'sar-reception'));
    expect(run.code, run.err).toBe(0);
    const result = JSON.parse(run.out[0]!) as SarResult;
    expect(result.auditEntries).toBe(0);
    expect(result.practiceTrail.included).toBe(false);
    expect(result.practiceTrail.reason).toMatch(
      /Only the practice manager or an administrator.*reception/,
    );
    expect(result.practiceTrail.exportRecorded).toBe(true);
    expect(result.files.some((f) => f.includes('practice-audit'))).toBe(false);
    expect(run.err).toMatch(/Practice audit trail not included/);

    const trail = await pmsg(['audit', '--profile', dirs.manager]);
    expect(trail.code, trail.err).toBe(0);
    const exports = trail.out
      .map((l) => JSON.parse(l) as { action: string; actorAccountId: string | null })
      .filter((e) => e.action === 'conversation.exported');
    const receptionId = await withProfile('reception', (p) =>
      Promise.resolve(readRelayAccount(p.repositories.settings)!.accountId),
    );
    expect(exports.map((e) => e.actorAccountId)).toContain(receptionId);
  }, 180_000);
});
