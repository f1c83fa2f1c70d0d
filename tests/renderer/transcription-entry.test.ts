// The transcription panel's decisions about the whole entry, moved out of TranscriptionPanel:
// when it may leave the app, when the entry that left is still the one on screen, and the
// warning about messages already in a record.
import { describe, expect, it } from 'vitest';
import type { TranscriptionDraft } from '../../shared/ipc/clinical-schemas.js';
import {
  alreadyTranscribedCount,
  entryKey,
  entryReady,
  fieldProblems,
  hasAttachmentsSection,
  nhsNumberPrefilled,
} from '../../renderer/src/logic/transcription-entry.js';
import { initialFields, toForm } from '../../renderer/src/logic/transcription-form.js';

const now = Date.UTC(2026, 0, 5, 9);
const quoted = (n: number, transcribedAt: number | null) => ({
  messageId: `message-000${n}`,
  senderAccountId: 'gp-1',
  senderName: 'Dr Priya Patel',
  senderRole: 'Clinician',
  sentAt: 1_000 * n,
  transcribedAt,
  text: `text ${n}`,
  clinical: true,
  urgent: false,
});

const draft: TranscriptionDraft = {
  conversationId: 'c1',
  messageIds: ['message-0001', 'message-0002'],
  quoted: [quoted(1, null), quoted(2, null)],
  advice: 'quoted advice',
  adviceGivenAt: 2_000,
  adviceReceivedAt: null,
  adviceGivenBy: { name: 'Dr Priya Patel', role: 'Clinician', accountId: 'gp-1' },
  adviceGiverChoices: [
    { name: 'Dr Priya Patel', role: 'Clinician', accountId: 'gp-1', inSelection: true },
  ],
  patient: { nhsNumber: '943 476 5919', name: '', dateOfBirth: '', nhsNumbersFound: 1 },
  urgent: false,
  askedBy: { name: 'Sam Jones', role: 'Receptionist', accountId: 'rec-1' },
  transcribedBy: { name: 'Dr Priya Patel', role: 'Clinician', accountId: 'gp-1' },
};
const fields = initialFields(draft, now);
const rendered = { content: 'the entry', errors: [] };

describe('entryKey', () => {
  it('stays the same when only the time the originals go changes', () => {
    const later = toForm(draft, fields);
    const nowDeletion = toForm(draft, { ...fields, deleteWhen: 'now' });
    expect(nowDeletion.deleteOriginals).not.toEqual(later.deleteOriginals);
    expect(entryKey(nowDeletion)).toBe(entryKey(later));
  });

  it('changes with anything that goes into the record', () => {
    const copied = entryKey(toForm(draft, fields));
    expect(entryKey(toForm(draft, { ...fields, advice: 'edited advice' }))).not.toBe(copied);
    expect(entryKey(toForm(draft, { ...fields, nhsNumber: '999 000 0018' }))).not.toBe(copied);
    expect(entryKey(toForm(draft, { ...fields, actions: 'call back' }))).not.toBe(copied);
    expect(entryKey(toForm(draft, { ...fields, askedByRole: 'Nurse' }))).not.toBe(copied);
  });
});

describe('entryReady', () => {
  it('is ready once main rendered a complete entry and the panel finds nothing wrong', () => {
    expect(entryReady(rendered, fields, now)).toBe(true);
  });

  it('waits for main, and not while main lists what is missing', () => {
    expect(entryReady(null, fields, now)).toBe(false);
    expect(entryReady({ content: null, errors: ['advice: required'] }, fields, now)).toBe(false);
  });

  it('refuses a mistyped NHS number or date of birth even if the preview is stale', () => {
    expect(entryReady(rendered, { ...fields, nhsNumber: '943 476 5918' }, now)).toBe(false);
    expect(entryReady(rendered, { ...fields, dateOfBirth: '31/02/1956' }, now)).toBe(false);
    expect(entryReady(rendered, { ...fields, dateOfBirth: '03/04/1956' }, now)).toBe(true);
  });

  it('refuses an entry nobody is named as having given', () => {
    expect(entryReady(rendered, { ...fields, adviceGivenByName: '  ' }, now)).toBe(false);
  });
});

describe('fieldProblems', () => {
  it('names the NHS number and date of birth problems separately', () => {
    const problems = fieldProblems({ ...fields, nhsNumber: '123', dateOfBirth: '' }, now);
    expect(problems.nhsNumber).toMatch(/10 digits/);
    expect(problems.dateOfBirth).toBeNull();
  });
});

describe('alreadyTranscribedCount', () => {
  it('counts the selected messages that are already in a record', () => {
    expect(alreadyTranscribedCount(draft)).toBe(0);
    const again = { ...draft, quoted: [quoted(1, 5_000), quoted(2, null), quoted(3, 6_000)] };
    expect(alreadyTranscribedCount(again)).toBe(2);
  });
});

describe('nhsNumberPrefilled', () => {
  it('asks for a check only while the number is the one main found', () => {
    expect(nhsNumberPrefilled(draft, fields)).toBe(true);
    expect(nhsNumberPrefilled(draft, { ...fields, nhsNumber: '999 000 0018' })).toBe(false);
    const none = { ...draft, patient: { ...draft.patient, nhsNumber: '' } };
    expect(nhsNumberPrefilled(none, { ...fields, nhsNumber: '' })).toBe(false);
  });
});

describe('hasAttachmentsSection', () => {
  it('finds the entry heading, not the words inside the (indented) advice', () => {
    expect(hasAttachmentsSection('Advice:\n  text\nAttachments:\n  - a.pdf')).toBe(true);
    expect(hasAttachmentsSection('Advice:\r\n  x\r\nAttachments:\r\n  - a.pdf')).toBe(true);
    expect(hasAttachmentsSection('Advice:\n  Attachments:\n  none')).toBe(false);
    expect(hasAttachmentsSection('Advice:\n  see Attachments: none')).toBe(false);
  });
});
