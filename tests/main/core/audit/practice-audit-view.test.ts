import { describe, expect, it } from 'vitest';
import type { PracticeAuditEntry } from '../../../../main/core/audit/practice-audit-reader.js';
import { practiceAuditView } from '../../../../main/core/audit/practice-audit-view.js';
import { practiceAuditViewSchema } from '../../../../shared/ipc/clinical-schemas.js';

// The manager's view of the practice trail: newest first, filtered by kind and by person, named
// from the directory or, for someone not in it, from the relay's record of their enrolment.

const gp = '11111111-1111-4111-8111-111111111111';
const reception = '22222222-2222-4222-8222-222222222222';
const leaver = '33333333-3333-4333-8333-333333333333';

function entry(seq: number, over: Partial<PracticeAuditEntry>): PracticeAuditEntry {
  return {
    seq,
    at: 1_700_000_000_000 + seq,
    source: 'device',
    accountId: gp,
    deviceId: 1,
    action: 'transcription.confirmed',
    actorAccountId: gp,
    conversationId: null,
    messageIds: [],
    patientRefHash: null,
    details: {},
    readable: true,
    ...over,
  };
}

const entries: PracticeAuditEntry[] = [
  entry(1, {
    source: 'relay',
    action: 'device.enrolled',
    actorAccountId: null,
    details: { displayName: 'Dr A Patel', role: 'clinician', deviceId: 1 },
  }),
  entry(2, {
    source: 'relay',
    accountId: leaver,
    action: 'device.enrolled',
    actorAccountId: null,
    details: { displayName: 'Dr Left', role: 'clinician', deviceId: 1 },
  }),
  entry(3, {
    messageIds: ['m1', 'm2'],
    details: { nested: { no: 1 }, deleteAt: 5 },
    patientRefHash: 'hmac-sha256:aaaa',
  }),
  entry(4, { accountId: reception, actorAccountId: reception, action: 'message.sent_despite_pid' }),
  entry(5, { action: 'transcription.undone', patientRefHash: 'hmac-sha256:bbbb' }),
  entry(7, { accountId: leaver, actorAccountId: leaver, action: 'conversation.exported' }),
];
const trail = { intact: false, brokenAt: 6, records: 5, entries };
const contacts = {
  get: (id: string) =>
    id === gp
      ? { displayName: 'Dr A Patel', role: null }
      : id === reception
        ? { displayName: 'Sam Jones', role: 'reception' }
        : null,
};
const view = (filter: Parameters<typeof practiceAuditView>[2]) =>
  practiceAuditView(trail, { contacts } as never, filter);

describe('the practice audit view', () => {
  it('lists newest first, keeps the whole chain status, and fits the IPC contract', () => {
    const result = view({ limit: 50 });
    expect(result.entries.map((e) => e.id)).toEqual([7, 5, 4, 3, 2, 1]);
    expect(result.chain).toEqual({ intact: false, brokenAt: 6, records: 5 });
    expect(practiceAuditViewSchema.parse(result)).toEqual(result);
    // Nested details are dropped, flat ones kept.
    expect(result.entries.find((e) => e.id === 3)?.details).toEqual({ deleteAt: 5 });
  });

  it('names people from the directory, else from their enrolment record, with the role', () => {
    const result = view({ limit: 50 });
    const exported = result.entries.find((e) => e.id === 7)!;
    expect(exported.actor).toEqual({
      accountId: leaver,
      displayName: 'Dr Left',
      role: 'clinician',
    });
    // The directory has no role for the GP: the relay's record has.
    expect(result.entries.find((e) => e.id === 5)!.subject).toEqual({
      accountId: gp,
      displayName: 'Dr A Patel',
      role: 'clinician',
      deviceId: 1,
    });
    expect(result.people.map((p) => p.displayName)).toEqual(['Dr A Patel', 'Dr Left', 'Sam Jones']);
    expect(result.kinds).toEqual([
      'conversation.exported',
      'device.enrolled',
      'message.sent_despite_pid',
      'transcription.confirmed',
      'transcription.undone',
    ]);
  });

  it('filters by kind, by person (actor or subject) and pages with beforeSeq', () => {
    expect(view({ limit: 50, kind: 'device.enrolled' }).entries.map((e) => e.id)).toEqual([2, 1]);
    expect(view({ limit: 50, accountId: leaver }).entries.map((e) => e.id)).toEqual([7, 2]);
    expect(
      view({ limit: 50, accountId: gp, kind: 'transcription.undone' }).entries.map((e) => e.id),
    ).toEqual([5]);
    const first = view({ limit: 2 });
    expect(first.entries.map((e) => e.id)).toEqual([7, 5]);
    expect(first.nextBeforeSeq).toBe(5);
    const second = view({ limit: 10, beforeSeq: 5 });
    expect(second.entries.map((e) => e.id)).toEqual([4, 3, 2, 1]);
    expect(second.nextBeforeSeq).toBeNull();
  });

  it('filters by time (from inclusive, until exclusive) and by the patient hash', () => {
    const at = (seq: number) => 1_700_000_000_000 + seq;
    expect(view({ limit: 50, sinceAt: at(4) }).entries.map((e) => e.id)).toEqual([7, 5, 4]);
    expect(view({ limit: 50, untilAt: at(4) }).entries.map((e) => e.id)).toEqual([3, 2, 1]);
    expect(view({ limit: 50, sinceAt: at(2), untilAt: at(5) }).entries.map((e) => e.id)).toEqual([
      4, 3, 2,
    ]);
    expect(
      view({ limit: 50, patientRefHashes: ['hmac-sha256:aaaa'] }).entries.map((e) => e.id),
    ).toEqual([3]);
    // Hashed under each key version held: an entry under any of them matches.
    expect(
      view({
        limit: 50,
        patientRefHashes: ['hmac-sha256:aaaa', 'hmac-sha256:bbbb'],
      }).entries.map((e) => e.id),
    ).toEqual([5, 3]);
    // No key on this device: no hash matches nothing, not everything.
    expect(view({ limit: 50, patientRefHashes: [] }).entries).toEqual([]);
    // The filters combine, and the chain status is still the whole trail's.
    const both = view({ limit: 50, patientRefHashes: ['hmac-sha256:bbbb'], sinceAt: at(6) });
    expect(both.entries).toEqual([]);
    expect(both.chain.brokenAt).toBe(6);
  });
});
