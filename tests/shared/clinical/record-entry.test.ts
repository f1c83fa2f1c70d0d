import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { isMessengerError } from '../../../shared/errors.js';
import { buildAdviceText } from '../../../shared/clinical/advice-prefill.js';
import { buildFhirCommunication } from '../../../shared/clinical/fhir-communication.js';
import { formatPlainTextEntry, toAsciiSafe } from '../../../shared/clinical/plain-text-entry.js';
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
  advice: buildAdviceText(messages),
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
  it('quotes the messages in time order, each with who, role and when', () => {
    expect(buildAdviceText(messages)).toBe(
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
        expect.stringMatching(/^patient\.dateOfBirth: .*yyyy-mm-dd/),
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
  const text = formatPlainTextEntry(entry);

  it('contains every required field on its own line', () => {
    const lines = text.split('\n');
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

  it('is plain printable ASCII with no markdown and no trailing spaces', () => {
    expect(text).toMatch(/^[\n\x20-\x7e]+$/);
    expect(text).not.toMatch(/[*_#`]|\*\*/);
    expect(text).not.toMatch(/ \n| $/);
  });

  it('says when the originals were already deleted, and handles no actions', () => {
    const done = formatPlainTextEntry({
      ...entry,
      actions: [],
      originalsDeletion: { at: Date.UTC(2025, 2, 3, 11, 3), status: 'deleted' },
    });
    expect(done).toContain('Original messages: deleted 03-Mar-2025 11:03');
    expect(done).toContain('Actions: none recorded');
  });

  it('can use CRLF line endings for the Windows clipboard', () => {
    const crlf = formatPlainTextEntry(entry, { lineEnding: '\r\n' });
    expect(crlf.split('\r\n')).toEqual(text.split('\n'));
  });

  it('refuses an invalid entry', () => {
    expect(() =>
      formatPlainTextEntry({ ...entry, patient: { nhsNumber: '123 456 7890' } }),
    ).toThrow(/NHS number is not valid/);
  });

  it('makes typographic text ASCII-safe', () => {
    expect(toAsciiSafe('“Take 1–2” – it’s £5… José\u00a0ok 😀\u0007')).toBe(
      '"Take 1-2" - it\'s GBP 5... Jose ok ?',
    );
  });
});

describe('buildFhirCommunication', () => {
  const schema = JSON.parse(
    readFileSync(new URL('./fhir-communication.schema.json', import.meta.url), 'utf8'),
  ) as object;
  const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
  const resource = buildFhirCommunication(entry, { id: 'b1f3c2a0-0000-4000-8000-000000000001' });

  it('validates against the R4 Communication schema', () => {
    const valid = validate(resource);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('is shaped to the UK Core profile', () => {
    expect(resource).toMatchObject({
      resourceType: 'Communication',
      meta: { profile: ['https://fhir.nhs.uk/R4/StructureDefinition/UKCore-Communication'] },
      status: 'completed',
      subject: {
        reference: '#patient',
        type: 'Patient',
        identifier: { system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9434765919' },
      },
      sender: { type: 'PractitionerRole', display: 'Dr Amira Khan (GP)' },
      recipient: [{ type: 'PractitionerRole', display: 'Jane Doe (Receptionist)' }],
      sent: '2025-03-03T09:20:00.000Z',
      received: '2025-03-03T09:22:00.000Z',
      medium: [
        {
          coding: [
            {
              system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationMode',
              code: 'ONLINEWRIT',
            },
          ],
        },
      ],
      contained: [{ resourceType: 'Patient', id: 'patient', birthDate: '1950-03-03' }],
    });
    expect(resource.identifier.map((i) => i.value)).toEqual(['msg00001', 'msg00002']);
    expect(resource.payload[0]!.contentString).toBe(entry.advice);
    expect(resource.payload[1]!.contentString).toContain('- Review in 2 weeks');
    expect(resource.note[0]!.text).toContain('conversation conv-42');
  });

  it('still validates with only the required fields', () => {
    const minimal = buildFhirCommunication({
      ...entry,
      patient: { nhsNumber: '9990000018' },
      adviceReceivedAt: undefined,
      actions: [],
      adviceGivenBy: { name: 'Dr A', role: 'GP' },
    });
    expect(minimal.contained).toBeUndefined();
    expect(minimal.received).toBeUndefined();
    expect(validate(minimal)).toBe(true);
  });

  it('a broken resource fails the schema', () => {
    const broken = (mutate: (r: Record<string, unknown>) => void) => {
      const copy = JSON.parse(JSON.stringify(resource)) as Record<string, unknown>;
      mutate(copy);
      return validate(copy);
    };
    expect(broken((r) => (r.status = 'done'))).toBe(false);
    expect(broken((r) => (r.resourceType = 'CommunicationRequest'))).toBe(false);
    expect(broken((r) => (r.sent = '03/03/2025 09:20'))).toBe(false);
    expect(broken((r) => (r.recipients = r.recipient))).toBe(false);
    expect(broken((r) => (r.payload = [{ content: 'x' }]))).toBe(false);
    expect(broken((r) => (r.subject = { identifier: { system: 'x', value: '1' } }))).toBe(false);
    expect(broken((r) => (r.sender = 'Dr Amira Khan'))).toBe(false);
    expect(broken((r) => (r.meta = { profile: [] }))).toBe(false);
    expect(broken((r) => delete r.medium)).toBe(false);
  });
});
