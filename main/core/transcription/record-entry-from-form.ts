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
import type { MessageRecord } from '../db/repositories/messages-repository.js';
import type { SelectedMessages } from './transcription-draft.js';
import type { OwnStaffIdentity } from './staff-directory.js';

/** A scheduled deletion further out than this keeps clinical text around too long. */
export const maxDeletionDelayMs = 30 * 24 * 60 * 60 * 1000;

export interface FormContext {
  readonly selected: SelectedMessages;
  readonly own: OwnStaffIdentity;
  readonly now: number;
}

export interface CompletedEntry {
  readonly validation: RecordEntryValidation;
  /** When the originals go: `now` for an immediate deletion. */
  readonly deleteAt: number;
}

/**
 * The record entry the form describes, with the facts the renderer does not get to choose filled
 * in by main: the source (conversation, messages), when the advice was given, when it is recorded,
 * and who transcribes it. Every problem is returned, not just the first, so the panel can show them.
 */
export function completeRecordEntry(form: TranscriptionForm, context: FormContext): CompletedEntry {
  const { selected, own, now } = context;
  const last = selected.messages[selected.messages.length - 1] as MessageRecord;
  const deletion = deletionTime(form.deleteOriginals, now);
  const patient: RecordEntryInput['patient'] = { nhsNumber: form.patient.nhsNumber };
  if (nonBlank(form.patient.name)) patient.name = form.patient.name;
  if (nonBlank(form.patient.dateOfBirth)) patient.dateOfBirth = form.patient.dateOfBirth;
  const input: RecordEntryInput = {
    patient,
    adviceGivenAt: last.sentAt,
    recordedAt: now,
    source: {
      conversationId: selected.conversation.id,
      messageIds: selected.messages.map((m) => m.id),
    },
    adviceGivenBy: staff(form.adviceGivenBy),
    askedBy: staff(form.askedBy),
    advice: form.advice,
    actions: form.actions.filter(nonBlank),
    transcribedBy: own.member,
    originalsDeletion: { at: deletion.at, status: 'scheduled' },
  };
  if (last.direction === 'incoming' && form.askedBy.accountId === own.accountId) {
    if (last.receivedAt !== null) input.adviceReceivedAt = last.receivedAt;
  }
  const validation = validateRecordEntry(input);
  if (deletion.error === null) return { validation, deleteAt: deletion.at };
  const errors = validation.ok ? [deletion.error] : [...validation.errors, deletion.error];
  return { validation: { ok: false, errors }, deleteAt: deletion.at };
}

function deletionTime(
  request: OriginalsDeletionRequest,
  now: number,
): { at: number; error: string | null } {
  if (request.when === 'now') return { at: now, error: null };
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

function staff(person: StaffMemberForm): RecordEntryInput['adviceGivenBy'] {
  return person.accountId === undefined
    ? { name: person.name, role: person.role }
    : { name: person.name, role: person.role, accountId: person.accountId };
}

function nonBlank(value: string | undefined): value is string {
  return value !== undefined && value.trim().length > 0;
}
