/**
 * What the transcription panel decides about the entry as a whole, apart from React: whether it
 * is complete enough to leave the app, whether the entry that left (copied or saved) is still the
 * one on screen, and how many of the selected messages are already in a record.
 */
import type {
  TranscriptionDraft,
  TranscriptionFormInput,
} from '../../../shared/ipc/clinical-schemas.js';
import {
  dateOfBirthProblem,
  nhsNumberProblem,
  type TranscriptionFields,
} from './transcription-form.js';

/** Main's rendering of the entry, or null until the first answer. */
export type EntryPreview = { content: string | null; errors: string[] } | null;

/**
 * Identifies the entry as copied or saved. Choosing when the originals go does not change what
 * was put in the record, so it is left out: changing it keeps "Entered into the record" offered.
 */
export function entryKey(form: TranscriptionFormInput): string {
  return JSON.stringify({ ...form, deleteOriginals: null });
}

/** The problems the panel finds itself as the clinician types (no round trip to main). */
export function fieldProblems(
  fields: TranscriptionFields,
  now: number,
): { nhsNumber: string | null; dateOfBirth: string | null } {
  return {
    nhsNumber: nhsNumberProblem(fields.nhsNumber),
    dateOfBirth: dateOfBirthProblem(fields.dateOfBirth, now),
  };
}

/**
 * The entry may be copied or saved: main rendered it, the panel's own checks pass, and someone
 * is named as having given the advice (an entry must never leave with the advice unattributed).
 */
export function entryReady(
  preview: EntryPreview,
  fields: TranscriptionFields,
  now: number,
): boolean {
  const problems = fieldProblems(fields, now);
  return (
    preview?.content != null &&
    problems.nhsNumber === null &&
    problems.dateOfBirth === null &&
    fields.adviceGivenByName.trim() !== ''
  );
}

/** How many of the selected messages were transcribed before: a second entry needs a warning. */
export function alreadyTranscribedCount(draft: TranscriptionDraft): number {
  return draft.quoted.filter((q) => q.transcribedAt !== null).length;
}

/** The NHS number shown is the one main found in the messages, so it must be checked. */
export function nhsNumberPrefilled(
  draft: TranscriptionDraft,
  fields: TranscriptionFields,
): boolean {
  return draft.patient.nhsNumber !== '' && fields.nhsNumber === draft.patient.nhsNumber;
}

/**
 * The plain-text entry lists files (its "Attachments:" section; the user's own text is indented
 * under its headings, so it cannot start a line with it).
 */
export function hasAttachmentsSection(content: string): boolean {
  return /^Attachments:\r?$/m.test(content);
}
