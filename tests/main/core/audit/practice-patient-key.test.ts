import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PatientKeySync } from '../../../../main/core/audit/patient-key-sync.js';
import { PracticeAuditForwarder } from '../../../../main/core/audit/practice-audit-forwarder.js';
import { readPracticeAudit } from '../../../../main/core/audit/practice-audit-reader.js';
import { practiceAuditView } from '../../../../main/core/audit/practice-audit-view.js';
import { readRelayAccount } from '../../../../main/core/messaging/relay-account.js';
import {
  lookUpPatientRefHashes,
  patientRefHash,
  patientRefKeyVersion,
  practicePatientKeys,
} from '../../../../main/core/transcription/patient-ref-hash.js';
import { createWorld, type Staff, type World } from '../messaging/messaging-harness.js';

// The practice's patient-reference key end to end (docs/protocol.md §13.1): real profiles, a
// real relay over real sockets. An entry recorded on the GP's PC is found by the manager's
// patient lookup on the manager's PC; after the manager rotates the key, old and new entries are
// both found; a receptionist never receives the key, and the relay refuses to give it to them.

let world: World;
let manager: Staff;
let gp: Staff;
let receptionist: Staff;

const patient = '9434765919';
const otherPatient = '4010232137';

async function enrolAs(name: string, role: 'manager' | 'clinician' | 'reception' | 'nurse') {
  const issued = await world.relay.relay.enrol({
    displayName: name,
    role,
    org: 'Riverside Surgery',
  });
  return world.enrolWithCode(name, issued.code);
}

const account = (member: Staff) => readRelayAccount(member.profile.repositories.settings)!;
const keys = (member: Staff) =>
  new PatientKeySync(member.profile.repositories, account(member), member.core.relay);

function transcribeFor(member: Staff, nhsNumber: string, messageId: string): string {
  const hash = patientRefHash(member.profile.repositories.settings, nhsNumber, Date.now());
  member.profile.repositories.audit.append({
    at: Date.now(),
    actorAccountId: member.accountId,
    action: 'transcription.confirmed',
    conversationId: 'conv-riverside-0001',
    messageIds: [messageId],
    patientRefHash: hash,
    details: {},
  });
  return hash;
}

async function forward(member: Staff) {
  await new PracticeAuditForwarder(
    member.profile.repositories,
    account(member),
    member.core.relay,
  ).flush();
}

/** The manager's patient lookup: the message ids of the entries found for that NHS number. */
async function lookUp(reader: Staff, nhsNumber: string): Promise<string[]> {
  await keys(reader).sync();
  const trail = await readPracticeAudit(
    reader.core.relay,
    reader.profile.repositories,
    account(reader),
  );
  const view = practiceAuditView(trail, reader.profile.repositories, {
    limit: 500,
    patientRefHashes: lookUpPatientRefHashes(reader.profile.repositories.settings, nhsNumber),
  });
  return view.entries.flatMap((e) => e.messageIds).sort();
}

beforeEach(async () => {
  world = await createWorld();
  manager = await enrolAs('Sam Lee', 'manager');
  gp = await enrolAs('Dr Amira Khan', 'clinician');
  receptionist = await enrolAs('Jane Doe', 'reception');
});
afterEach(async () => {
  await world.cleanup();
});

describe("the practice's patient-reference key", () => {
  it("finds the GP's entry from the manager's PC, before and after a rotation", async () => {
    // The GP's PC is the first to need a key: it makes version 1, sealed to every key holder.
    expect(await keys(gp).sync()).toMatchObject({ versions: [1], latest: 1 });
    const first = transcribeFor(gp, patient, 'msg-before-rotation');
    expect(patientRefKeyVersion(first)).toBe(1);
    transcribeFor(gp, otherPatient, 'msg-other-patient');
    await forward(gp);

    expect(await lookUp(manager, patient)).toEqual(['msg-before-rotation']);
    expect(await lookUp(manager, otherPatient)).toEqual(['msg-other-patient']);

    // The manager rotates; the GP's PC picks version 2 up at its next sync and hashes with it.
    expect(await keys(manager).rotate()).toEqual({ version: 2 });
    expect(await keys(gp).sync()).toMatchObject({ versions: [1, 2], latest: 2 });
    const second = transcribeFor(gp, patient, 'msg-after-rotation');
    expect(patientRefKeyVersion(second)).toBe(2);
    expect(second).not.toBe(first);
    await forward(gp);
    await forward(manager);

    expect(await lookUp(manager, patient)).toEqual(['msg-after-rotation', 'msg-before-rotation']);
    // The rotation itself is in the trail, with the version and never the key.
    const trail = await readPracticeAudit(
      manager.core.relay,
      manager.profile.repositories,
      account(manager),
    );
    const rotated = trail.entries.find((e) => e.action === 'audit.patient_key_rotated');
    expect(rotated?.details).toEqual({ version: 2 });
  });

  it('gives a PC enrolled later every version, from whichever holder syncs next', async () => {
    await keys(gp).sync();
    await keys(manager).rotate();
    const nurse = await enrolAs('Nia Evans', 'nurse');
    // Nobody shared with the nurse's PC yet: it holds nothing and may not make a version 1.
    expect(await keys(nurse).sync()).toMatchObject({ versions: [], latest: 2 });
    expect((await keys(gp).sync()).shared).toBe(2);
    expect(await keys(nurse).sync()).toMatchObject({ versions: [1, 2], latest: 2 });
    transcribeFor(nurse, patient, 'msg-from-nurse');
    await forward(nurse);
    expect(await lookUp(manager, patient)).toEqual(['msg-from-nurse']);
  });

  it('never reaches a receptionist, and only a manager or admin rotates', async () => {
    await keys(gp).sync();
    expect(await keys(receptionist).sync()).toEqual({ versions: [], latest: 0, shared: 0 });
    expect(practicePatientKeys(receptionist.profile.repositories.settings)).toEqual({ keys: {} });
    await expect(receptionist.core.relay.call('patientKeys')).rejects.toMatchObject({
      code: 'forbidden',
    });
    await expect(receptionist.core.relay.call('patientKeyHolders')).rejects.toMatchObject({
      code: 'forbidden',
    });
    const holders = await gp.core.relay.call('patientKeyHolders');
    expect(holders.devices.map((d) => d.accountId).sort()).toEqual(
      [gp.accountId, manager.accountId].sort(),
    );
    // A holder cannot seal the key to a reception device either.
    await expect(
      gp.core.relay.call('uploadPatientKeys', {
        body: {
          version: 1,
          envelopes: [
            {
              accountId: receptionist.accountId,
              deviceId: 1,
              sealed: Buffer.from('x').toString('base64'),
            },
          ],
        },
      }),
    ).rejects.toMatchObject({ code: 'invalid_input' });
    // A clinician's PC may not make version 2 (a rotation), nor claim a version it was not given.
    const own = {
      accountId: gp.accountId,
      deviceId: 1,
      sealed: Buffer.from('x').toString('base64'),
    };
    await expect(
      gp.core.relay.call('uploadPatientKeys', { body: { version: 2, envelopes: [own] } }),
    ).rejects.toMatchObject({ code: 'forbidden' });
    await expect(keys(gp).rotate()).rejects.toMatchObject({ code: 'forbidden' });
    const nurse = await enrolAs('Nia Evans', 'nurse');
    await expect(
      nurse.core.relay.call('uploadPatientKeys', {
        body: {
          version: 1,
          envelopes: [{ accountId: nurse.accountId, deviceId: 1, sealed: own.sealed }],
        },
      }),
    ).rejects.toMatchObject({ code: 'patient_key_conflict' });
    // A reception entry is keyed per device: found on that PC only.
    const receptionHash = transcribeFor(receptionist, patient, 'msg-reception');
    expect(patientRefKeyVersion(receptionHash)).toBeNull();
    await forward(receptionist);
    expect(await lookUp(manager, patient)).toEqual([]);
  });
});
