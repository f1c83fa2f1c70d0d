/**
 * The FHIR record entry against the R4 Communication schema (tests/shared/clinical/
 * fhir-communication.schema.json, compiled with ajv) and, as explicit assertions, against the UK
 * Core profiles' own constraints that can be checked offline: the profile URLs, the contained
 * UKCore-Patient referenced by "#id", the NHS number identifier slice with its verification-status
 * extension, fixed systems and codes, the narrative, category, priority, staff identifiers.
 */
import { describe, expect, it } from 'vitest';
import { buildAdviceText } from '../../../shared/clinical/advice-prefill.js';
import { createHash } from 'node:crypto';
import {
  buildFhirCommunication,
  fhirInlineAttachmentMaxBytes,
  type FhirCommunication,
} from '../../../shared/clinical/fhir-communication.js';
import type { RecordEntryInput } from '../../../shared/clinical/record-entry.js';
import { validateFhirCommunication as validate } from '../../main/core/helpers/fhir-schema.js';

const answered = Date.UTC(2025, 2, 3, 9, 20);
const entry: RecordEntryInput = {
  patient: {
    nhsNumber: '943 476 5919',
    name: 'Mary <b>Example</b> & Co',
    dateOfBirth: '1950-03-03',
  },
  adviceGivenAt: answered,
  adviceReceivedAt: answered + 120_000,
  recordedAt: answered + 3_600_000,
  source: { conversationId: 'conv-42', messageIds: ['msg00001', 'msg00002'] },
  adviceGivenBy: {
    name: 'Dr Amira Khan',
    role: 'GP',
    accountId: 'acct-khan',
    identifiers: { gmcNumber: '1234567' },
  },
  askedBy: { name: 'Jane Doe', role: 'Reception', accountId: 'acct-doe' },
  advice: buildAdviceText([
    {
      senderName: 'Jane Doe',
      senderRole: 'Reception',
      sentAt: answered - 60_000,
      text: 'Mrs X: paracetamol <ok>?',
    },
    { senderName: 'Dr Amira Khan', senderRole: 'GP', sentAt: answered, text: 'Yes, fine 👍' },
  ]),
  actions: ['Call back'],
  transcribedBy: { name: 'Dr Amira Khan', role: 'GP' },
  originalsDeletion: { at: answered + 3_700_000, status: 'scheduled' },
};
const id = '0f8c2d6e-1b7a-5c3e-9d4f-2a6b8c0e1f3a';
const resource = buildFhirCommunication(entry, { id });
const copy = (r: FhirCommunication) => JSON.parse(JSON.stringify(r)) as Record<string, unknown>;

function ukCoreProblems(r: FhirCommunication): string[] {
  const problems: string[] = [];
  const need = (ok: boolean, what: string) => ok || problems.push(what);
  need(
    r.meta.profile.includes('https://fhir.hl7.org.uk/StructureDefinition/UKCore-Communication'),
    'meta.profile is the UK Core Communication URL',
  );
  need(!JSON.stringify(r).includes('fhir.nhs.uk/R4/'), 'no superseded fhir.nhs.uk/R4 URL');
  need(!JSON.stringify(r).includes('urn:practice-messenger'), 'no placeholder URN namespace');
  need(r.status === 'completed', 'status completed');
  need(r.text?.status === 'generated', 'narrative generated');
  need(r.text?.div.startsWith('<div xmlns="http://www.w3.org/1999/xhtml">'), 'xhtml div');
  const patients = r.contained.filter((c) => c.resourceType === 'Patient');
  need(patients.length === 1, 'one contained Patient');
  const patient = patients[0]!;
  need(r.subject.reference === `#${patient.id}`, 'subject references the contained Patient by #id');
  need(
    patient.meta.profile.includes('https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient'),
    'contained Patient claims UKCore-Patient',
  );
  const nhs = patient.identifier.filter((i) => i.system === 'https://fhir.nhs.uk/Id/nhs-number');
  need(nhs.length === 1 && /^\d{10}$/.test(nhs[0]!.value), 'nhsNumber slice: one, ten digits');
  const status = nhs[0]?.extension?.filter(
    (e) =>
      e.url ===
      'https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NHSNumberVerificationStatus',
  );
  need(status?.length === 1, 'verification status extension on the NHS number');
  const coding = status?.[0]?.valueCodeableConcept.coding ?? [];
  need(
    coding.length === 1 &&
      coding[0]!.system ===
        'https://fhir.hl7.org.uk/CodeSystem/UKCore-NHSNumberVerificationStatusEngland' &&
      /^0[1-8]$/.test(coding[0]!.code),
    'verification status coded from UKCore-NHSNumberVerificationStatusEngland',
  );
  need(r.category.length > 0, 'category');
  need(['routine', 'urgent'].includes(r.priority), 'priority');
  need(r.id !== undefined && /^[A-Za-z0-9\-.]{1,64}$/.test(r.id), 'id');
  return problems;
}

describe('buildFhirCommunication (UK Core)', () => {
  it('validates against the R4 Communication schema', () => {
    const valid = validate(resource);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('meets the UK Core constraints checkable offline', () => {
    expect(ukCoreProblems(resource)).toEqual([]);
  });

  it('uses the UK Core profile URL, not the superseded fhir.nhs.uk/R4 draft', () => {
    expect(resource.meta.profile).toEqual([
      'https://fhir.hl7.org.uk/StructureDefinition/UKCore-Communication',
    ]);
  });

  it('carries the NHS number in a contained UKCore-Patient, "02" (not traced) unless verified', () => {
    const patient = resource.contained[0]!;
    expect(patient.identifier[0]).toEqual({
      extension: [
        {
          url: 'https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NHSNumberVerificationStatus',
          valueCodeableConcept: {
            coding: [
              {
                system:
                  'https://fhir.hl7.org.uk/CodeSystem/UKCore-NHSNumberVerificationStatusEngland',
                code: '02',
                display: 'Number present but not traced',
              },
            ],
          },
        },
      ],
      system: 'https://fhir.nhs.uk/Id/nhs-number',
      value: '9434765919',
    });
    expect(patient.birthDate).toBe('1950-03-03');
    const verified = buildFhirCommunication(
      { ...entry, patient: { nhsNumber: '9434765919', nhsNumberVerified: true } },
      { id },
    );
    expect(
      verified.contained[0]!.identifier[0]!.extension![0]!.valueCodeableConcept.coding[0]!.code,
    ).toBe('01');
    // Even with no name or date of birth, the patient is contained (for the verification status).
    expect(verified.subject.reference).toBe('#patient');
    expect(validate(verified)).toBe(true);
  });

  it('has a generated narrative with every piece of text escaped', () => {
    const div = resource.text.div;
    expect(div).toContain('Mary &lt;b&gt;Example&lt;/b&gt; &amp; Co');
    expect(div).toContain('paracetamol &lt;ok&gt;?');
    expect(div).toContain('Yes, fine [thumbs up]');
    expect(div).not.toMatch(/<(?!\/?(div|p|br)\b)/);
  });

  it('has a category, and priority "urgent" only when a selected message was urgent', () => {
    expect(resource.category[0]!.coding[0]).toMatchObject({
      system: 'http://terminology.hl7.org/CodeSystem/communication-category',
      code: 'instruction',
    });
    expect(resource.priority).toBe('routine');
    const urgent = buildFhirCommunication({ ...entry, urgent: true }, { id });
    expect(urgent.priority).toBe('urgent');
    expect(validate(urgent)).toBe(true);
  });

  it('names staff by GMC, NMC or SDS user id when the directory has them', () => {
    expect(resource.sender).toEqual({
      type: 'Practitioner',
      identifier: { system: 'https://fhir.hl7.org.uk/Id/gmc-number', value: '1234567' },
      display: 'Dr Amira Khan (GP)',
    });
    const nurse = buildFhirCommunication(
      {
        ...entry,
        adviceGivenBy: { name: 'Sam Nurse', role: 'Nurse', identifiers: { nmcPin: '12A3456E' } },
        askedBy: { name: 'Jo', role: 'Reception', identifiers: { sdsUserId: '555021935107' } },
      },
      { id },
    );
    expect(nurse.sender.identifier).toEqual({
      system: 'https://fhir.hl7.org.uk/Id/nmc-number',
      value: '12A3456E',
    });
    expect(nurse.recipient[0]!.identifier).toEqual({
      system: 'https://fhir.nhs.uk/Id/sds-user-id',
      value: '555021935107',
    });
  });

  it('uses the practice https base for its own identifiers, never a placeholder URN', () => {
    expect(resource.recipient[0]).toEqual({
      type: 'Practitioner',
      display: 'Jane Doe (Reception)',
    });
    expect(JSON.stringify(resource)).not.toContain('urn:practice-messenger');
    expect(resource.identifier).toEqual([{ system: 'urn:ietf:rfc:3986', value: `urn:uuid:${id}` }]);
    const based = buildFhirCommunication(entry, {
      id,
      identifierBase: 'https://fhir.riverside.example.nhs.uk/Id/',
    });
    expect(based.recipient[0]!.identifier).toEqual({
      system: 'https://fhir.riverside.example.nhs.uk/Id/account-id',
      value: 'acct-doe',
    });
    expect(based.identifier.slice(1).map((i) => [i.system, i.value])).toEqual([
      ['https://fhir.riverside.example.nhs.uk/Id/message-id', 'msg00001'],
      ['https://fhir.riverside.example.nhs.uk/Id/message-id', 'msg00002'],
    ]);
    expect(validate(based)).toBe(true);
  });

  it('has sent and received, and the id it is given', () => {
    expect(resource.id).toBe(id);
    expect(resource.sent).toBe('2025-03-03T09:20:00.000Z');
    expect(resource.received).toBe('2025-03-03T09:22:00.000Z');
  });

  it('a broken resource fails the schema or the UK Core checks', () => {
    const broken = (mutate: (r: Record<string, unknown>) => void) => {
      const r = copy(resource);
      mutate(r);
      return validate(r) && ukCoreProblems(r as unknown as FhirCommunication).length === 0;
    };
    expect(broken(() => {})).toBe(true);
    expect(broken((r) => (r.status = 'done'))).toBe(false);
    expect(broken((r) => (r.sent = '03/03/2025 09:20'))).toBe(false);
    expect(broken((r) => (r.recipients = r.recipient))).toBe(false);
    expect(broken((r) => (r.payload = [{ content: 'x' }]))).toBe(false);
    expect(broken((r) => delete r.medium)).toBe(false);
    expect(
      broken(
        (r) =>
          (r.meta = {
            profile: ['https://fhir.nhs.uk/R4/StructureDefinition/UKCore-Communication'],
          }),
      ),
    ).toBe(false);
    expect(broken((r) => ((r.subject as { reference: string }).reference = '#someone'))).toBe(
      false,
    );
    expect(broken((r) => ((r.text as { div: string }).div = '<p>no div</p>'))).toBe(false);
    expect(
      broken(
        (r) =>
          delete (r.contained as Array<{ identifier: Array<{ extension?: unknown }> }>)[0]!
            .identifier[0]!.extension,
      ),
    ).toBe(false);
    expect(
      broken(
        (r) =>
          ((r.contained as Array<Record<string, unknown>>)[0]!.text = {
            status: 'generated',
            div: '<div/>',
          }),
      ),
    ).toBe(false);
  });
});

describe('a transcription with attachments', () => {
  const small = Buffer.from('\x89PNG\r\n\x1a\n small rash photo');
  const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  const sha1 = (b: Buffer) => createHash('sha1').update(b).digest('base64');
  const letterSha = 'b'.repeat(64);
  const goneSha = 'c'.repeat(64);
  const withFiles: RecordEntryInput = {
    ...entry,
    attachments: [
      { name: 'rash <1>.png', contentType: 'image/png', size: small.length, sha256: sha256(small) },
      {
        name: 'discharge letter.pdf',
        contentType: 'application/pdf',
        size: fhirInlineAttachmentMaxBytes + 1,
        sha256: letterSha,
      },
      { name: 'not here.jpg', contentType: 'image/jpeg', size: 2_000, sha256: goneSha },
    ],
  };
  const content = new Map([
    [sha256(small), { sha1Base64: sha1(small), dataBase64: small.toString('base64') }],
    // Main leaves out the bytes above the limit; the builder drops them anyway if given.
    [letterSha, { sha1Base64: 'qUqP5cyxm6YcTAhz05Hph5gvu9M=', dataBase64: 'AAAA' }],
  ]);
  const withContent = buildFhirCommunication(withFiles, { id, attachmentContent: content });
  const attachments = withContent.payload.flatMap((p) =>
    'contentAttachment' in p ? [p.contentAttachment] : [],
  );

  it('lists each file as payload.contentAttachment, valid R4 and UK Core', () => {
    expect(validate(withContent), JSON.stringify(validate.errors)).toBe(true);
    expect(ukCoreProblems(withContent)).toEqual([]);
    expect(withContent.payload[0]).toEqual({ contentString: expect.any(String) });
    expect(attachments).toHaveLength(3);
  });

  it('inlines a small file with the R4 hash (base64 SHA-1 of the bytes), size and title', () => {
    expect(attachments[0]).toEqual({
      contentType: 'image/png',
      data: small.toString('base64'),
      size: small.length,
      hash: sha1(small),
      title: 'rash <1>.png',
    });
    expect(Buffer.from(attachments[0]!.data!, 'base64').equals(small)).toBe(true);
  });

  it('lists a file above the inline limit, or not stored here, without data', () => {
    expect(attachments[1]).toEqual({
      contentType: 'application/pdf',
      size: fhirInlineAttachmentMaxBytes + 1,
      hash: 'qUqP5cyxm6YcTAhz05Hph5gvu9M=',
      title: 'discharge letter.pdf',
    });
    expect(attachments[2]).toEqual({
      contentType: 'image/jpeg',
      size: 2_000,
      title: 'not here.jpg',
    });
  });

  it('names every file, with its SHA-256, in the narrative', () => {
    expect(withContent.text.div).toContain('Attachments:');
    expect(withContent.text.div).toContain(
      `rash &lt;1&gt;.png (image/png, ${small.length} bytes, SHA-256 ${sha256(small)})`,
    );
    expect(withContent.text.div).toContain(
      `discharge letter.pdf (application/pdf, 5.0 MB, SHA-256 ${letterSha})`,
    );
  });

  it('a broken attachment fails the schema', () => {
    const broken = (mutate: (a: Record<string, unknown>) => void) => {
      const r = copy(withContent);
      const payload = r.payload as Array<{ contentAttachment?: Record<string, unknown> }>;
      mutate(payload.find((p) => p.contentAttachment)!.contentAttachment!);
      return validate(r);
    };
    expect(broken(() => {})).toBe(true);
    expect(broken((a) => delete a.contentType)).toBe(false); // data needs a contentType (att-1)
    expect(broken((a) => (a.hash = 'not base64!'))).toBe(false);
    expect(broken((a) => (a.size = -1))).toBe(false);
    expect(broken((a) => (a.sha256 = sha256(small)))).toBe(false);
  });

  it('refuses an entry whose file has no proper SHA-256 or type', () => {
    const bad = (file: Record<string, unknown>) => () =>
      buildFhirCommunication({ ...entry, attachments: [file as never] }, { id });
    const good = { name: 'a.png', contentType: 'image/png', size: 1, sha256: 'a'.repeat(64) };
    expect(bad(good)).not.toThrow();
    expect(bad({ ...good, sha256: 'A'.repeat(64) })).toThrow(/SHA-256/);
    expect(bad({ ...good, contentType: 'png' })).toThrow(/media type/);
    expect(bad({ ...good, name: ' ' })).toThrow(/attachment name/);
  });
});
