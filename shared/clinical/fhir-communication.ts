import { formatPlainTextEntry, recordSafe, sourceDescription } from './plain-text-entry.js';
import { escapeHtml } from '../escape-html.js';
import {
  describeStaffMember,
  parseRecordEntry,
  type RecordEntryInput,
  type StaffMember,
} from './record-entry.js';
import { formatUkDateTime, ukTimeZone } from './uk-date-format.js';

/** UK Core (HL7 UK, fhir.hl7.org.uk). The older fhir.nhs.uk/R4/... form is a superseded draft. */
export const ukCoreCommunicationProfile =
  'https://fhir.hl7.org.uk/StructureDefinition/UKCore-Communication';
export const ukCorePatientProfile = 'https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient';
export const nhsNumberSystem = 'https://fhir.nhs.uk/Id/nhs-number';
export const nhsNumberVerificationStatusExtension =
  'https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NHSNumberVerificationStatus';
export const nhsNumberVerificationStatusSystem =
  'https://fhir.hl7.org.uk/CodeSystem/UKCore-NHSNumberVerificationStatusEngland';
export const staffIdentifierSystems = {
  gmcNumber: 'https://fhir.hl7.org.uk/Id/gmc-number',
  nmcPin: 'https://fhir.hl7.org.uk/Id/nmc-number',
  sdsUserId: 'https://fhir.nhs.uk/Id/sds-user-id',
} as const;
export const participationModeSystem = 'http://terminology.hl7.org/CodeSystem/v3-ParticipationMode';
export const communicationCategorySystem =
  'http://terminology.hl7.org/CodeSystem/communication-category';
/** RFC 3986 URIs: the identifier system for a `urn:uuid:` value. */
export const uriIdentifierSystem = 'urn:ietf:rfc:3986';
export const xhtmlNamespace = 'http://www.w3.org/1999/xhtml';

/**
 * Medium: v3-ParticipationMode ONLINEWRIT, "online written: participation by text or diagrams
 * submitted by computer network". An instant message is typed human language sent over a
 * network. Not ELECTRONIC ("non-human-language based electronic signal": machine data), not
 * the abstract parent WRITTEN, not EMAILWRIT (a different, non-real-time channel).
 */
export const instantMessageMedium = {
  coding: [{ system: participationModeSystem, code: 'ONLINEWRIT', display: 'online written' }],
  text: 'Instant message (Practice Messenger)',
} as const;

/** Category: advice from a clinician on what to do ("instruction" in R4 communication-category). */
export const adviceCategory = {
  coding: [{ system: communicationCategorySystem, code: 'instruction', display: 'Instruction' }],
  text: 'Clinical advice given by instant message',
} as const;

const verificationStatus = {
  verified: { code: '01', display: 'Number present and verified' },
  notTraced: { code: '02', display: 'Number present but not traced' },
} as const;

export interface FhirCoding {
  system: string;
  code: string;
  display?: string;
}
export interface FhirCodeableConcept {
  coding: FhirCoding[];
  text?: string;
}
export interface FhirExtension {
  url: string;
  valueCodeableConcept: FhirCodeableConcept;
}
export interface FhirIdentifier {
  extension?: FhirExtension[];
  system: string;
  value: string;
}
export interface FhirReference {
  reference?: string;
  type?: string;
  identifier?: FhirIdentifier;
  display?: string;
}
export interface FhirPatient {
  resourceType: 'Patient';
  id: string;
  meta: { profile: string[] };
  identifier: FhirIdentifier[];
  name?: Array<{ text: string }>;
  birthDate?: string;
}
/** R4 Attachment: `hash` is the base64 SHA-1 of the data, as R4 defines it (not SHA-256). */
export interface FhirAttachment {
  contentType: string;
  data?: string;
  size: number;
  hash?: string;
  title: string;
}

/** What main read from a listed file, by its SHA-256 (hex): shared code never sees the bytes. */
export interface FhirAttachmentContent {
  /** base64 SHA-1 of the bytes (FHIR R4 Attachment.hash). */
  readonly sha1Base64: string;
  /** The bytes in base64, or null when the file is larger than fhirInlineAttachmentMaxBytes. */
  readonly dataBase64: string | null;
}

/**
 * Files up to this size travel inside the FHIR file (`data`); larger ones are listed with their
 * title, type, size and hash only, and saved beside the entry on request. GP clinical systems
 * commonly refuse documents over 5 MB in one message.
 */
export const fhirInlineAttachmentMaxBytes = 5 * 1_048_576;

export interface FhirCommunication {
  resourceType: 'Communication';
  id: string;
  meta: { profile: string[] };
  text: { status: 'generated'; div: string };
  contained: FhirPatient[];
  identifier: FhirIdentifier[];
  status: 'completed';
  category: FhirCodeableConcept[];
  priority: 'routine' | 'urgent';
  medium: FhirCodeableConcept[];
  subject: FhirReference;
  sent: string;
  received?: string;
  recipient: FhirReference[];
  sender: FhirReference;
  payload: Array<{ contentString: string } | { contentAttachment: FhirAttachment }>;
  note: Array<{ authorString: string; time: string; text: string }>;
}

export interface FhirCommunicationOptions {
  /**
   * The resource id: the same for the same selection, so a re-rendered or re-saved entry is the
   * same resource (main derives it from the conversation and message ids).
   */
  readonly id: string;
  /**
   * The practice-controlled https base for its own identifiers (policy `recordIdentifierBase`),
   * e.g. https://fhir.example-practice.nhs.uk/Id. Without it, staff without a GMC, NMC or SDS
   * user id are named by display only and the message ids stay in the note: never a made-up
   * namespace.
   */
  readonly identifierBase?: string | null;
  /** Zone for the human-readable times (note, narrative); the FHIR instants are UTC. */
  readonly timeZone?: string;
  /**
   * The listed files' hash and (small enough) bytes, keyed by SHA-256 hex. A file missing here
   * (no longer stored on this device) is listed by title, type and size only.
   */
  readonly attachmentContent?: ReadonlyMap<string, FhirAttachmentContent>;
}

const patientId = 'patient';

/**
 * The transcribed advice as a FHIR R4 Communication conforming to UK Core: the advice-giver is
 * the sender, the person who asked the recipient, the patient the subject (a contained
 * UKCore-Patient with the NHS number and its verification status). The narrative is the compact
 * plain-text entry, escaped. Throws MessengerError `invalid_input` if the entry is incomplete.
 */
export function buildFhirCommunication(
  input: RecordEntryInput,
  options: FhirCommunicationOptions,
): FhirCommunication {
  const entry = parseRecordEntry(input);
  const base = options.identifierBase?.replace(/\/+$/, '') || null;
  const tz = options.timeZone ?? ukTimeZone;
  const instant = (ms: number) => new Date(ms).toISOString();
  const staff = (person: StaffMember): FhirReference => {
    const identifier = staffIdentifier(person, base);
    return {
      type: 'Practitioner',
      ...(identifier ? { identifier } : {}),
      display: describeStaffMember(person),
    };
  };

  const status = entry.patient.nhsNumberVerified
    ? verificationStatus.verified
    : verificationStatus.notTraced;
  const { name, dateOfBirth } = entry.patient;
  const patient: FhirPatient = {
    resourceType: 'Patient',
    id: patientId,
    meta: { profile: [ukCorePatientProfile] },
    identifier: [
      {
        extension: [
          {
            url: nhsNumberVerificationStatusExtension,
            valueCodeableConcept: {
              coding: [{ system: nhsNumberVerificationStatusSystem, ...status }],
            },
          },
        ],
        system: nhsNumberSystem,
        value: entry.patient.nhsNumber,
      },
    ],
    ...(name ? { name: [{ text: name }] } : {}),
    ...(dateOfBirth ? { birthDate: dateOfBirth } : {}),
  };

  const payload: FhirCommunication['payload'] = [{ contentString: recordSafe(entry.advice) }];
  if (entry.actions.length > 0) {
    payload.push({
      contentString: recordSafe(`Actions:\n${entry.actions.map((a) => `- ${a}`).join('\n')}`),
    });
  }
  for (const file of entry.attachments) {
    const content = options.attachmentContent?.get(file.sha256);
    const data =
      content?.dataBase64 != null && file.size <= fhirInlineAttachmentMaxBytes
        ? { data: content.dataBase64 }
        : {};
    payload.push({
      contentAttachment: {
        contentType: file.contentType,
        ...data,
        size: file.size,
        ...(content ? { hash: content.sha1Base64 } : {}),
        title: recordSafe(file.name),
      },
    });
  }
  const deletion =
    entry.originalsDeletion.status === 'deleted'
      ? `deleted ${formatUkDateTime(entry.originalsDeletion.at, tz)}`
      : `to be deleted ${formatUkDateTime(entry.originalsDeletion.at, tz)}`;
  const identifier: FhirIdentifier[] = [
    { system: uriIdentifierSystem, value: `urn:uuid:${options.id}` },
  ];
  if (base !== null) {
    for (const value of entry.source.messageIds) {
      identifier.push({ system: `${base}/message-id`, value });
    }
  }

  return {
    resourceType: 'Communication',
    id: options.id,
    meta: { profile: [ukCoreCommunicationProfile] },
    text: { status: 'generated', div: narrative(entry, tz) },
    contained: [patient],
    identifier,
    status: 'completed',
    category: [{ coding: adviceCategory.coding.map((c) => ({ ...c })), text: adviceCategory.text }],
    priority: entry.urgent ? 'urgent' : 'routine',
    medium: [
      {
        coding: instantMessageMedium.coding.map((c) => ({ ...c })),
        text: instantMessageMedium.text,
      },
    ],
    subject: {
      reference: `#${patientId}`,
      type: 'Patient',
      identifier: { system: nhsNumberSystem, value: entry.patient.nhsNumber },
      ...(name ? { display: name } : {}),
    },
    sent: instant(entry.adviceGivenAt),
    ...(entry.adviceReceivedAt !== undefined ? { received: instant(entry.adviceReceivedAt) } : {}),
    recipient: [staff(entry.askedBy)],
    sender: staff(entry.adviceGivenBy),
    payload,
    note: [
      {
        authorString: describeStaffMember(entry.transcribedBy),
        time: instant(entry.recordedAt),
        text:
          `Transcribed into the patient record by ${describeStaffMember(entry.transcribedBy)} ` +
          `from ${sourceDescription}, conversation ${entry.source.conversationId}, ` +
          `messages ${entry.source.messageIds.join(', ')}. Original messages ${deletion}.`,
      },
    ],
  };
}

/** GMC, then NMC, then SDS user id; else the practice's own account identifier, if it has a base. */
function staffIdentifier(person: StaffMember, base: string | null): FhirIdentifier | undefined {
  const ids = person.identifiers;
  if (ids?.gmcNumber) return { system: staffIdentifierSystems.gmcNumber, value: ids.gmcNumber };
  if (ids?.nmcPin) return { system: staffIdentifierSystems.nmcPin, value: ids.nmcPin };
  if (ids?.sdsUserId) return { system: staffIdentifierSystems.sdsUserId, value: ids.sdsUserId };
  if (person.accountId && base !== null) {
    return { system: `${base}/account-id`, value: person.accountId };
  }
  return undefined;
}

/** The compact entry as XHTML: what a FHIR viewer shows is what the clinician checked. */
function narrative(entry: ReturnType<typeof parseRecordEntry>, timeZone: string): string {
  const text = formatPlainTextEntry(entry, { lineEnding: '\n', template: 'compact', timeZone });
  const lines = text.split('\n').map(escapeHtml);
  return `<div xmlns="${xhtmlNamespace}"><p>${lines.join('<br/>')}</p></div>`;
}
