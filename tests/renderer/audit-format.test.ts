import { describe, expect, it } from 'vitest';
import type { AuditEntryView } from '../../shared/ipc/clinical-schemas.js';
import {
  auditKindLabel,
  auditRow,
  describeAuditAction,
  practiceAuditRow,
} from '../../renderer/src/logic/audit-format.js';

function entry(overrides: Partial<AuditEntryView>): AuditEntryView {
  return {
    id: 7,
    at: Date.UTC(2026, 0, 5, 9),
    actor: { accountId: 'gp-1', displayName: 'Dr Priya Patel', role: 'clinician' },
    action: 'transcription.confirmed',
    conversationId: 'c1',
    messageIds: [],
    patientRefHash: null,
    details: {},
    ...overrides,
  };
}

describe('describeAuditAction', () => {
  it('words every action the core records', () => {
    const said = (e: Partial<AuditEntryView>) => describeAuditAction(entry(e));
    expect(said({ details: { originals: 'delete_now' } })).toBe(
      'Entered advice into a patient record; originals deleted everywhere',
    );
    expect(
      said({
        details: { originals: 'delete_later', deleteAt: new Date(2026, 0, 5, 18).getTime() },
      }),
    ).toMatch(
      /^Entered advice into a patient record; originals to be deleted everywhere at Mon 5 Jan/,
    );
    expect(said({ action: 'transcription.fhir_saved' })).toBe(
      'Saved a record entry as a FHIR file',
    );
    expect(said({ action: 'conversation.exported', details: { reference: 'SAR-1' } })).toBe(
      'Exported the conversation for a Subject Access Request (reference SAR-1)',
    );
    expect(said({ action: 'conversation.exported', details: { reference: null } })).toBe(
      'Exported the conversation for a Subject Access Request',
    );
    expect(
      said({
        action: 'messages_deleted_for_everyone',
        details: { reason: 'transcribed', origin: 'peer' },
      }),
    ).toBe('Messages deleted from this device by the other person after transcription');
    expect(said({ action: 'messages_deleted_for_everyone', details: { origin: 'self' } })).toBe(
      'Deleted messages on every device',
    );
    expect(said({ action: 'retention.expired_deleted' })).toMatch(/^Deleted expired messages/);
    expect(said({ action: 'identity_changed' })).toBe("A colleague's safety number changed");
    expect(said({ action: 'something.new_here' })).toBe('something new here');
  });

  it('words a send-anyway with the kinds of data found, from the app or the command line', () => {
    const said = (details: AuditEntryView['details']) =>
      describeAuditAction(entry({ action: 'message.sent_despite_pid', details }));
    expect(said({ pidKinds: 'nhs-number,date', origin: 'app' })).toBe(
      'Sent a message despite the patient-identifiable data warning (NHS number, date or date of birth)',
    );
    expect(said({ pidKinds: 'patient-name', origin: 'cli' })).toBe(
      'Sent a message despite the patient-identifiable data warning (possible patient name), from the command line',
    );
  });
});

describe('auditRow', () => {
  it('names the actor with their role, counts messages, shortens the patient hash', () => {
    const row = auditRow(
      entry({
        messageIds: ['m1', 'm2'],
        patientRefHash: 'hmac-sha256:3f2a91c0aabbccdd',
      }),
    );
    expect(row.who).toBe('Dr Priya Patel (Clinician)');
    expect(row.messages).toBe('2 messages');
    expect(row.patientRef).toBe('3F2A 91C0');
  });

  it('reads counts from the details and names automatic events', () => {
    const row = auditRow(
      entry({ actor: null, action: 'retention.expired_deleted', details: { count: 1 } }),
    );
    expect(row.who).toBe('Practice Messenger (automatic)');
    expect(row.messages).toBe('1 message');
    expect(auditRow(entry({ action: 'identity_changed' })).messages).toBe('—');
  });
});

describe('the practice trail rows', () => {
  const base = {
    id: 9,
    at: Date.UTC(2026, 0, 5, 10, 30),
    conversationId: null,
    messageIds: [],
    patientRefHash: null,
    readable: true,
  };
  const gp = { accountId: '11111111-1111-4111-8111-111111111111', displayName: 'Dr A Patel' };

  it('names the relay for its own records and describes the device it is about', () => {
    const row = practiceAuditRow({
      ...base,
      actor: null,
      action: 'device.revoked',
      details: { displayName: 'Dr A Patel', deviceId: 2, wipe: true },
      source: 'relay',
      subject: { ...gp, role: 'clinician', deviceId: 2 },
    });
    expect(row.who).toMatch(/^The relay/);
    expect(row.what).toBe("Dr A Patel's device 2 revoked, to be erased when it next connects");
    expect(row.device).toBeNull();
  });

  it("says on whose device a device's event was recorded", () => {
    const own = practiceAuditRow({
      ...base,
      actor: { ...gp, role: 'clinician' },
      action: 'transcription.confirmed',
      details: {},
      source: 'device',
      subject: { ...gp, role: 'clinician', deviceId: 3 },
    });
    expect(own.who).toBe('Dr A Patel (Clinician)');
    expect(own.device).toBe('on device 3');
    const peer = practiceAuditRow({
      ...base,
      actor: { accountId: '22222222-2222-4222-8222-222222222222', displayName: 'Sam', role: null },
      action: 'messages_deleted_for_everyone',
      details: { origin: 'peer' },
      source: 'device',
      subject: { ...gp, role: 'clinician', deviceId: 1 },
    });
    expect(peer.device).toBe("on Dr A Patel's device 1");
  });

  it('says whose role changed, from what to what', () => {
    const row = practiceAuditRow({
      ...base,
      actor: null,
      action: 'account.role_changed',
      details: { displayName: 'Sam Jones', role: 'manager', previousRole: 'reception' },
      source: 'relay',
      subject: { ...gp, role: 'manager', deviceId: 1 },
    });
    expect(row.what).toBe("Sam Jones's role changed from Reception to Practice manager");
  });

  it('labels kinds for the filter, and falls back to words for an unknown one', () => {
    expect(auditKindLabel('transcription.undone')).toBe('Transcription undone');
    expect(auditKindLabel('something.new_kind')).toBe('something new kind');
  });

  it('words the unlock records: the policy by its keys, and a burst of wrong passcodes', () => {
    expect(
      describeAuditAction(
        entry({
          actor: null,
          action: 'policy.loaded',
          details: { source: 'system', keysSet: 'pidGuard,retentionDays', keyCount: 2 },
        }),
      ),
    ).toBe("Unlocked under the practice's policy, setting pidGuard, retentionDays");
    expect(
      describeAuditAction(
        entry({
          actor: null,
          action: 'policy.loaded',
          details: { source: 'defaults', keysSet: '' },
        }),
      ),
    ).toBe('Unlocked with no practice policy installed (the defaults)');
    expect(
      describeAuditAction(
        entry({ actor: null, action: 'unlock.failed_burst', details: { failures: 5 } }),
      ),
    ).toBe('5 wrong passcodes typed before this unlock');
  });
});
