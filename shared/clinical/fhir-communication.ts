import { describeStaffMember, parseRecordEntry, type RecordEntryInput } from './record-entry.js';
import type { StaffMember } from './record-entry.js';
import { sourceDescription } from './plain-text-entry.js';
import { formatUkDateTime, ukTimeZone } from './uk-date-format.js';

export const ukCoreCommunicationProfile =
  'https://fhir.nhs.uk/R4/StructureDefinition/UKCore-Communication';
export const nhsNumberSystem = 'https://fhir.nhs.uk/Id/nhs-number';
export const participationModeSystem = 'http://terminology.hl7.org/CodeSystem/v3-ParticipationMode';

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

/**
 * Identifier systems for our own ids. These are placeholders in the supplier's namespace: replace
 * them with an OID or URL the supplier controls before exchanging resources with other systems
 * (`identifierSystemBase` option).
 */
export const defaultIdentifierSystemBase = 'urn:practice-messenger';

export interface FhirIdentifier {
  system: string;
  value: string;
}
export interface FhirReference {
  reference?: string;
  type?: string;
  identifier?: FhirIdentifier;
  display?: string;
}
export interface FhirCoding {
  system: string;
  code: string;
  display?: string;
}
export interface FhirPatient {
  resourceType: 'Patient';
  id: string;
  identifier: FhirIdentifier[];
  name?: Array<{ text: string }>;
  birthDate?: string;
}
export interface FhirCommunication {
  resourceType: 'Communication';
  id?: string;
  meta: { profile: string[] };
  contained?: FhirPatient[];
  identifier: FhirIdentifier[];
  status: 'completed';
  medium: Array<{ coding: FhirCoding[]; text?: string }>;
  subject: FhirReference;
  sent: string;
  received?: string;
  recipient: FhirReference[];
  sender: FhirReference;
  payload: Array<{ contentString: string }>;
  note: Array<{ authorString: string; time: string; text: string }>;
}

export interface FhirCommunicationOptions {
  /** Resource id (for example a UUID), if the caller keeps one. */
  readonly id?: string;
  readonly identifierSystemBase?: string;
  /** Zone for the human-readable times inside the note; the FHIR instants are UTC. */
  readonly timeZone?: string;
}

/**
 * The transcribed advice as a FHIR R4 Communication shaped to UK Core: the advice-giver is the
 * sender, the person who asked the recipient, the patient the subject (by NHS number, with a
 * contained Patient carrying name and date of birth when given). The source message ids are the
 * resource's identifiers (audit trail back to the conversation); transcription details go in a
 * note. Throws MessengerError `invalid_input` if the entry is incomplete.
 */
export function buildFhirCommunication(
  input: RecordEntryInput,
  options: FhirCommunicationOptions = {},
): FhirCommunication {
  const entry = parseRecordEntry(input);
  const base = options.identifierSystemBase ?? defaultIdentifierSystemBase;
  const instant = (ms: number) => new Date(ms).toISOString();
  const staff = (person: StaffMember): FhirReference => ({
    type: 'PractitionerRole',
    ...(person.accountId
      ? { identifier: { system: `${base}:account-id`, value: person.accountId } }
      : {}),
    display: describeStaffMember(person),
  });

  const nhsIdentifier = { system: nhsNumberSystem, value: entry.patient.nhsNumber };
  const { name, dateOfBirth } = entry.patient;
  const contained: FhirPatient[] =
    name || dateOfBirth
      ? [
          {
            resourceType: 'Patient',
            id: 'patient',
            identifier: [nhsIdentifier],
            ...(name ? { name: [{ text: name }] } : {}),
            ...(dateOfBirth ? { birthDate: dateOfBirth } : {}),
          },
        ]
      : [];

  const payload = [{ contentString: entry.advice }];
  if (entry.actions.length > 0) {
    payload.push({ contentString: `Actions:\n${entry.actions.map((a) => `- ${a}`).join('\n')}` });
  }

  const tz = options.timeZone ?? ukTimeZone;
  const deletion =
    entry.originalsDeletion.status === 'deleted'
      ? `deleted ${formatUkDateTime(entry.originalsDeletion.at, tz)}`
      : `to be deleted ${formatUkDateTime(entry.originalsDeletion.at, tz)}`;

  return {
    resourceType: 'Communication',
    ...(options.id ? { id: options.id } : {}),
    meta: { profile: [ukCoreCommunicationProfile] },
    ...(contained.length > 0 ? { contained } : {}),
    identifier: entry.source.messageIds.map((value) => ({ system: `${base}:message-id`, value })),
    status: 'completed',
    medium: [
      {
        coding: instantMessageMedium.coding.map((c) => ({ ...c })),
        text: instantMessageMedium.text,
      },
    ],
    subject: {
      ...(contained.length > 0 ? { reference: '#patient' } : {}),
      type: 'Patient',
      identifier: nhsIdentifier,
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
