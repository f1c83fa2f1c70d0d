import { describe, expect, it } from 'vitest';
import { isMessengerError } from '../../../shared/errors.js';
import { buildAdviceText } from '../../../shared/clinical/advice-prefill.js';
import { formatPlainTextEntry, recordSafe } from '../../../shared/clinical/plain-text-entry.js';
import {
  parseRecordEntry,
  validateRecordEntry,
  type RecordEntryInput,
} from '../../../shared/clinical/record-entry.js';
import { formatUkDate, formatUkDateTime } from '../../../shared/clinical/uk-date-format.js';

const asked = Date.UTC(2025, 2, 3, 9, 14);
const answered = Date.UTC(2025, 2, 3, 9, 20);

const messages = [
  {
    senderName: 'Dr Amira Khan',
    senderRole: 'GP',
    sentAt: answered,
    text: 'Yes, paracetamol is fine.\nReview in 2 weeks if no better.',
  },
  {
    senderName: 'Jane Doe',
    senderRole: 'Receptionist',
    sentAt: asked,
    text: 'Mrs X asks if she can take paracetamol with her new tablets',
  },
];

const entry: RecordEntryInput = {
  patient: { nhsNumber: '943-476-5919', name: 'Mary Example', dateOfBirth: '1950-03-03' },
  adviceGivenAt: answered,
  adviceReceivedAt: Date.UTC(2025, 2, 3, 9, 22),
  recordedAt: Date.UTC(2025, 2, 3, 11, 2),
  source: { conversationId: 'conv-42', messageIds: ['msg00001', 'msg00002'] },
  adviceGivenBy: { name: 'Dr Amira Khan', role: 'GP', accountId: 'acct-khan' },
  askedBy: { name: 'Jane Doe', role: 'Receptionist', accountId: 'acct-doe' },
  advice: buildAdviceText(messages, { template: 'full' }),
  actions: ['Reception to call patient back', 'Review in 2 weeks'],
  transcribedBy: { name: 'Dr Amira Khan', role: 'GP' },
  originalsDeletion: { at: Date.UTC(2025, 2, 3, 11, 10), status: 'scheduled' },
};

describe('UK date formatting', () => {
  it('writes dd-Mon-yyyy HH:mm in UK local time, GMT and BST', () => {
    expect(formatUkDateTime(Date.UTC(2025, 2, 3, 9, 20))).toBe('03-Mar-2025 09:20');
    expect(formatUkDateTime(Date.UTC(2025, 6, 1, 8, 5))).toBe('01-Jul-2025 09:05');
    expect(formatUkDateTime(Date.UTC(2025, 8, 30, 23, 30))).toBe('01-Oct-2025 00:30');
    expect(formatUkDateTime(Date.UTC(2025, 8, 9, 0, 0), 'UTC')).toBe('09-Sep-2025 00:00');
    expect(formatUkDate('1950-03-03')).toBe('03-Mar-1950');
  });
});

describe('buildAdviceText', () => {
  it('compact (the default): one line per message in time order, time, who and role', () => {
    expect(buildAdviceText(messages)).toBe(
      [
        '09:14 Jane Doe (Receptionist): Mrs X asks if she can take paracetamol with her new tablets',
        '09:20 Dr Amira Khan (GP): Yes, paracetamol is fine.',
        '  Review in 2 weeks if no better.',
      ].join('\n'),
    );
  });

  it('compact dates each line when the messages span more than one day', () => {
    const later = { ...messages[0]!, sentAt: answered + 24 * 3600_000 };
    expect(buildAdviceText([messages[1]!, later]).split('\n')[1]).toBe(
      '04-Mar-2025 09:20 Dr Amira Khan (GP): Yes, paracetamol is fine.',
    );
  });

  it('full: each message under a dated "wrote:" line', () => {
    expect(buildAdviceText(messages, { template: 'full' })).toBe(
      [
        '03-Mar-2025 09:14 Jane Doe (Receptionist) wrote:',
        '  Mrs X asks if she can take paracetamol with her new tablets',
        '03-Mar-2025 09:20 Dr Amira Khan (GP) wrote:',
        '  Yes, paracetamol is fine.',
        '  Review in 2 weeks if no better.',
      ].join('\n'),
    );
  });
});

describe('record entry validation', () => {
  it('accepts a complete entry and normalises the NHS number', () => {
    const parsed = parseRecordEntry(entry);
    expect(parsed.patient.nhsNumber).toBe('9434765919');
  });

  it('defaults actions to none', () => {
    const { actions: _actions, ...withoutActions } = entry;
    expect(parseRecordEntry(withoutActions).actions).toEqual([]);
  });

  it('lists every problem with its field and a clear message, never the PID given', () => {
    const result = validateRecordEntry({
      ...entry,
      patient: { nhsNumber: '943 476 5918', dateOfBirth: '03/03/1950' },
      askedBy: { name: ' ', role: 'Receptionist' },
      source: { conversationId: 'conv-42', messageIds: [] },
      adviceGivenAt: 'yesterday',
    });
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors;
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^patient\.nhsNumber: The patient NHS number is not valid/),
        expect.stringMatching(/^patient\.dateOfBirth: .*real date \(dd\/mm\/yyyy\)/),
        'askedBy.name: Name is required',
        'source.messageIds: At least one source message is required',
        expect.stringMatching(/^adviceGivenAt: The time the advice was given must be a time/),
      ]),
    );
    expect(errors.join(' ')).not.toContain('5918');
  });

  it('throws a typed error from parse', () => {
    let caught: unknown;
    try {
      parseRecordEntry({ ...entry, advice: '' });
    } catch (e) {
      caught = e;
    }
    expect(isMessengerError(caught, 'invalid_input')).toBe(true);
    expect((caught as Error).message).toContain('advice: The advice is required');
  });
});

describe('formatPlainTextEntry', () => {
  const lf = { lineEnding: '\n' } as const;
  const full = formatPlainTextEntry(entry, { ...lf, template: 'full' });
  const compact = formatPlainTextEntry(
    { ...entry, advice: buildAdviceText(messages, { template: 'compact' }) },
    lf,
  );

  it('full: every field of the record entry on its own line, ids included', () => {
    const lines = full.split('\n');
    for (const expected of [
      'Patient NHS number: 943 476 5919',
      'Patient name: Mary Example',
      'Patient date of birth: 03-Mar-1950',
      'Advice given: 03-Mar-2025 09:20',
      'Advice given by: Dr Amira Khan (GP)',
      'Asked by: Jane Doe (Receptionist)',
      'Advice received: 03-Mar-2025 09:22',
      'Advice:',
      '  03-Mar-2025 09:14 Jane Doe (Receptionist) wrote:',
      '    Yes, paracetamol is fine.',
      'Actions:',
      '  - Reception to call patient back',
      '  - Review in 2 weeks',
      'Source: instant message, Practice Messenger; conversation conv-42; messages msg00001, msg00002',
      'Recorded: 03-Mar-2025 11:02',
      'Transcribed by: Dr Amira Khan (GP)',
      'Original messages: to be deleted 03-Mar-2025 11:10',
    ]) {
      expect(lines).toContain(expected);
    }
  });

  it('compact (the default): the header lines, then one line per message, without ids', () => {
    expect(compact.split('\n')).toEqual([
      'Advice given by instant message (transcribed)',
      'Patient NHS number: 943 476 5919',
      'Patient name: Mary Example',
      'Patient date of birth: 03-Mar-1950',
      'Advice given: 03-Mar-2025 09:20',
      'Advice given by: Dr Amira Khan (GP)',
      'Asked by: Jane Doe (Receptionist)',
      'Advice:',
      '09:14 Jane Doe (Receptionist): Mrs X asks if she can take paracetamol with her new tablets',
      '09:20 Dr Amira Khan (GP): Yes, paracetamol is fine.',
      '  Review in 2 weeks if no better.',
      'Actions:',
      '- Reception to call patient back',
      '- Review in 2 weeks',
      'Source: instant message, Practice Messenger',
      'Transcribed by: Dr Amira Khan (GP), 03-Mar-2025 11:02',
      'Original messages: to be deleted 03-Mar-2025 11:10',
    ]);
    expect(compact).not.toContain('msg0000');
    expect(compact).not.toContain('conv-42');
  });

  it('has no markdown and no trailing spaces', () => {
    for (const text of [full, compact]) {
      expect(text).not.toMatch(/[*_#`]|\*\*/);
      expect(text).not.toMatch(/ \n| $/);
    }
  });

  it('says when the originals were already deleted, and handles no actions', () => {
    const done = formatPlainTextEntry(
      {
        ...entry,
        actions: [],
        originalsDeletion: { at: Date.UTC(2025, 2, 3, 11, 3), status: 'deleted' },
      },
      { ...lf, template: 'full' },
    );
    expect(done).toContain('Original messages: deleted 03-Mar-2025 11:03');
    expect(done).toContain('Actions: none recorded');
  });

  it('uses the line ending it is given: CRLF for Windows, with no bare LF left', () => {
    const crlf = formatPlainTextEntry(entry, { lineEnding: '\r\n' });
    expect(crlf.split('\r\n')).toEqual(formatPlainTextEntry(entry, lf).split('\n'));
    expect(crlf).not.toMatch(/[^\r]\n/);
  });

  it('says the entry is urgent when a selected message was', () => {
    expect(formatPlainTextEntry({ ...entry, urgent: true }, lf)).toContain('Priority: urgent');
    expect(compact).not.toContain('Priority');
  });

  it('refuses an invalid entry', () => {
    expect(() =>
      formatPlainTextEntry({ ...entry, patient: { nhsNumber: '123 456 7890' } }, lf),
    ).toThrow(/NHS number is not valid/);
  });

  it('never replaces a character by "?": Unicode is kept, emoji become words', () => {
    const said = formatPlainTextEntry(
      {
        ...entry,
        patient: { nhsNumber: '9434765919', name: 'Zoë O’Brien-Łukasiewicz' },
        advice: 'Paracetamol 1 g qds is fine 👍\n“Take 1–2” – £5… 37.5 °C, 5 µg',
      },
      lf,
    );
    expect(said).toContain('Patient name: Zoë O’Brien-Łukasiewicz');
    expect(said).toContain('Paracetamol 1 g qds is fine [thumbs up]');
    expect(said).toContain('“Take 1–2” – £5… 37.5 °C, 5 µg');
    expect(said).not.toContain('?');
    expect(formatPlainTextEntry({ ...entry, advice: 'ok 👍' }, { ...lf, emoji: 'keep' })).toContain(
      'ok 👍',
    );
  });

  it('drops control and bidirectional-override characters, which would hide what was said', () => {
    expect(recordSafe('dose\u0007 5 mg\u202e gm 01\u202c\tdaily')).toBe('dose 5 mg gm 01 daily');
  });
});
