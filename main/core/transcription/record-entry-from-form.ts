import {
  validateRecordEntry,
  type RecordEntryInput,
  type RecordEntryValidation,
} from '../../../shared/clinical/record-entry.js';
import type {
  OriginalsDeletionRequest,
  StaffMemberForm,
  TranscriptionForm,
} from '../../../shared/ipc/clinical-schemas.js';
import { replaceRole } from '../../../shared/clinical/advice-prefill.js';
import { isClinicalRole } from '../../../shared/clinical/clinical-roles.js';
import type { MessageRecord } from '../db/repositories/messages-repository.js';
import type { Repositories } from '../db/repositories/repositories.js';
import { communicationIdFor } from './communication-id.js';
import { entryAttachments } from './entry-attachments.js';
import { staffMemberOf } from './staff-directory.js';
import { adviceGiverOf, type SelectedMessages } from './transcription-draft.js';
import type { OwnStaffIdentity } from './staff-directory.js';

/** A scheduled deletion further out than this keeps clinical text around too long. */
export const maxDeletionDelayMs = 30 * 24 * 60 * 60 * 1000;

export interface FormContext {
  readonly selected: SelectedMessages;
  readonly own: OwnStaffIdentity;
  readonly now: number;
  /**
   * When the entry counts as recorded: the time the transcription was opened, so the preview,
   * the copied text and the FHIR file carry the same time. `now` when not given.
   */
  readonly recordedAt?: number;
  /** The practice directory: names, roles and professional identifiers by account id. */
  readonly directory: Pick<Repositories, 'contacts'>;
  /** The selected messages' files, listed in the entry; none listed without it. */
  readonly files?: Pick<Repositories['attachments'], 'get' | 'chunk'>;
}

export interface CompletedEntry {
  readonly validation: RecordEntryValidation;
  /** When the originals go: `now` for an immediate deletion. */
  readonly deleteAt: number;
  /** The stable FHIR Communication id of this selection, also recorded in the audit. */
  readonly communicationId: string;
}

const chooseGiver =
  'adviceGivenBy: Choose who gave the advice: no clinician wrote in the selected messages, so ' +
  'the app cannot tell who did';

/**
 * The record entry the form describes, with the facts the renderer does not get to choose filled
 * in by main: the source (conversation, messages), when the advice was given (the chosen giver's
 * last selected message), whether it was urgent, when it is recorded, and who transcribes it.
 * A role edited in the form is that person's role on every line, the transcriber's included.
 * Every problem is returned, not just the first, so the panel can show them.
 */
export function completeRecordEntry(form: TranscriptionForm, context: FormContext): CompletedEntry {
  const { selected, own, now, directory } = context;
  const recordedAt = context.recordedAt ?? now;
  const messages = selected.messages;
  const last = messages[messages.length - 1] as MessageRecord;
  const deletion = deletionTime(form.deleteOriginals, now, recordedAt);
  const errors: string[] = deletion.error === null ? [] : [deletion.error];
  const giverId = form.adviceGivenBy.accountId;
  const giverMessage =
    giverId === undefined
      ? adviceGiverOf(messages, (id) => isClinicalRole(directory.contacts.get(id)?.role))
      : ([...messages].reverse().find((m) => m.senderAccountId === giverId) ?? null);
  if (giverId !== undefined && giverMessage === null && directory.contacts.get(giverId) === null) {
    errors.push(
      'adviceGivenBy: the person chosen as advice giver is neither an author of the selected ' +
        'messages nor in the practice directory; choose again',
    );
  }
  const patient: RecordEntryInput['patient'] = { nhsNumber: form.patient.nhsNumber };
  if (nonBlank(form.patient.name)) patient.name = form.patient.name;
  if (nonBlank(form.patient.dateOfBirth)) patient.dateOfBirth = form.patient.dateOfBirth;
  const edited = [form.adviceGivenBy, form.askedBy];
  const input: RecordEntryInput = {
    patient,
    adviceGivenAt: (giverMessage ?? last).sentAt,
    recordedAt,
    urgent: messages.some((m) => m.urgent),
    source: {
      conversationId: selected.conversation.id,
      messageIds: messages.map((m) => m.id),
    },
    adviceGivenBy: staff(form.adviceGivenBy, directory),
    askedBy: staff(form.askedBy, directory),
    advice: withEditedRoles(form, directory),
    actions: form.actions.filter(nonBlank),
    transcribedBy: {
      ...own.member,
      role: edited.find((p) => p.accountId === own.accountId)?.role || own.member.role,
    },
    originalsDeletion: { at: deletion.at, status: 'scheduled' },
    attachments: context.files
      ? entryAttachments(
          context.files,
          messages.map((m) => m.id),
        )
      : [],
  };
  if (
    giverMessage !== null &&
    giverMessage.direction === 'incoming' &&
    form.askedBy.accountId === own.accountId &&
    giverMessage.receivedAt !== null
  ) {
    input.adviceReceivedAt = giverMessage.receivedAt;
  }
  const validation = validateRecordEntry(input);
  const communicationId = communicationIdFor(input.source.conversationId, input.source.messageIds);
  const all = [
    ...(validation.ok
      ? []
      : validation.errors.map((e) =>
          e.startsWith('adviceGivenBy.name:') && !nonBlank(form.adviceGivenBy.name)
            ? chooseGiver
            : e,
        )),
    ...errors,
  ];
  if (all.length === 0) return { validation, deleteAt: deletion.at, communicationId };
  return { validation: { ok: false, errors: all }, deleteAt: deletion.at, communicationId };
}

/**
 * The quoted advice names people with their directory role ("Dr A Patel (Clinician):"); a role
 * the user edited for the giver or the asker replaces it there too, whatever client built it.
 */
function withEditedRoles(form: TranscriptionForm, directory: Pick<Repositories, 'contacts'>) {
  let advice = form.advice;
  for (const person of [form.adviceGivenBy, form.askedBy]) {
    if (person.accountId === undefined || person.role.trim() === '') continue;
    const listed = staffMemberOf(directory, person.accountId);
    advice = replaceRole(advice, person.name, listed.role, person.role.trim());
  }
  return advice;
}

function deletionTime(
  request: OriginalsDeletionRequest,
  now: number,
  recordedAt: number,
): { at: number; error: string | null } {
  // "Now" is the moment of recording, so the entry reads the same however long the panel is open.
  if (request.when === 'now') return { at: recordedAt, error: null };
  if (request.at < now) {
    return {
      at: request.at,
      error: 'deleteOriginals.at: the deletion time has passed; choose a later time or delete now',
    };
  }
  if (request.at - now > maxDeletionDelayMs) {
    return {
      at: request.at,
      error: 'deleteOriginals.at: the originals can be kept at most 30 days after transcription',
    };
  }
  return { at: request.at, error: null };
}

function staff(
  person: StaffMemberForm,
  directory: Pick<Repositories, 'contacts'>,
): RecordEntryInput['adviceGivenBy'] {
  if (person.accountId === undefined) return { name: person.name, role: person.role };
  const identifiers = directory.contacts.get(person.accountId)?.identifiers ?? {};
  return {
    name: person.name,
    role: person.role,
    accountId: person.accountId,
    ...(Object.keys(identifiers).length > 0 ? { identifiers } : {}),
  };
}

function nonBlank(value: string | undefined): value is string {
  return value !== undefined && value.trim().length > 0;
}
