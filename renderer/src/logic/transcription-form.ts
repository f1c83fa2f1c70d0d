/**
 * The transcription panel's fields and the IPC form built from them. The panel checks the NHS
 * number itself (shared/clinical, no round trip) so the clinician sees a mistyped digit as they
 * type; everything else is validated by main, which answers with every problem at once.
 */
import {
  buildAdviceText,
  replaceRole,
  type EntryTemplate,
} from '../../../shared/clinical/advice-prefill.js';
import { isValidNhsNumber } from '../../../shared/clinical/nhs-number.js';
import { formatUkDateInput, parseUkDateInput } from '../../../shared/clinical/uk-date-format.js';
import type {
  TranscriptionDraft,
  TranscriptionFormInput,
} from '../../../shared/ipc/clinical-schemas.js';

export interface TranscriptionFields {
  nhsNumber: string;
  patientName: string;
  /** dd/mm/yyyy as typed (a text field: the order never follows the browser's locale), or empty. */
  dateOfBirth: string;
  advice: string;
  /** Typed in by hand: a change of layout then leaves it alone. */
  adviceEdited: boolean;
  template: EntryTemplate;
  /** The account chosen as advice giver ('' when nobody is chosen yet). */
  adviceGiverId: string;
  adviceGivenByName: string;
  adviceGivenByRole: string;
  askedByName: string;
  askedByRole: string;
  /** One action per line. */
  actions: string;
  deleteWhen: 'now' | 'later';
  /** yyyy-mm-ddThh:mm from <input type="datetime-local">, local time. */
  deleteAt: string;
}

export function initialFields(draft: TranscriptionDraft, now: number): TranscriptionFields {
  return {
    nhsNumber: draft.patient.nhsNumber,
    patientName: draft.patient.name,
    dateOfBirth: draft.patient.dateOfBirth ? formatUkDateInput(draft.patient.dateOfBirth) : '',
    advice: draft.advice,
    adviceEdited: false,
    template: 'compact',
    adviceGiverId: draft.adviceGivenBy?.accountId ?? '',
    adviceGivenByName: draft.adviceGivenBy?.name ?? '',
    adviceGivenByRole: draft.adviceGivenBy?.role ?? '',
    askedByName: draft.askedBy?.name ?? '',
    askedByRole: draft.askedBy?.role ?? '',
    actions: '',
    // Not "delete everywhere now": the originals stay (marked transcribed) until after surgery.
    deleteWhen: 'later',
    deleteAt: toLocalInputValue(defaultLaterDeletion(now)),
  };
}

/**
 * The advice giver chosen from the draft's choices: their name and role, and the quoted advice
 * re-quoted with the roles as they now stand (unless the advice was typed in by hand).
 */
export function chooseAdviceGiver(
  draft: TranscriptionDraft,
  fields: TranscriptionFields,
  accountId: string,
): TranscriptionFields {
  const choice = draft.adviceGiverChoices.find((c) => c.accountId === accountId);
  if (!choice)
    return { ...fields, adviceGiverId: '', adviceGivenByName: '', adviceGivenByRole: '' };
  return {
    ...fields,
    adviceGiverId: choice.accountId,
    adviceGivenByName: choice.name,
    adviceGivenByRole: choice.role,
  };
}

/**
 * A role edited in the panel is that person's role on every line: the quoted advice is changed
 * to match ("Dr A Patel (Clinician):" -> "Dr A Patel (GP):"), as main does for the transcriber.
 */
export function editRole(
  fields: TranscriptionFields,
  who: 'giver' | 'asker',
  role: string,
): TranscriptionFields {
  const [name, from] =
    who === 'giver'
      ? [fields.adviceGivenByName, fields.adviceGivenByRole]
      : [fields.askedByName, fields.askedByRole];
  const advice = replaceRole(fields.advice, name, from, role);
  return who === 'giver'
    ? { ...fields, adviceGivenByRole: role, advice }
    : { ...fields, askedByRole: role, advice };
}

/** The quoted advice in another layout, with the roles as edited; hand-typed advice is kept. */
export function changeTemplate(
  draft: TranscriptionDraft,
  fields: TranscriptionFields,
  template: EntryTemplate,
): TranscriptionFields {
  if (fields.adviceEdited) return { ...fields, template };
  const roleOf = (accountId: string, name: string, role: string) => {
    if (accountId === fields.adviceGiverId && name === fields.adviceGivenByName) {
      return fields.adviceGivenByRole;
    }
    if (accountId === draft.askedBy?.accountId && name === fields.askedByName) {
      return fields.askedByRole;
    }
    return role;
  };
  const advice = buildAdviceText(
    draft.quoted.map((q) => ({
      ...q,
      senderRole: roleOf(q.senderAccountId, q.senderName, q.senderRole),
    })),
    { template },
  );
  return { ...fields, template, advice };
}

/** Null when empty or a real past date written dd/mm/yyyy; otherwise what is wrong. */
export function dateOfBirthProblem(value: string, now: number): string | null {
  const typed = value.trim();
  if (typed === '') return null;
  const iso = parseUkDateInput(typed);
  if (iso === null) {
    return 'Write the date of birth as day/month/year, for example 03/04/1956.';
  }
  if (Date.parse(`${iso}T00:00:00Z`) > now) return 'The date of birth is in the future.';
  if (iso < '1880-01-01') return 'The date of birth is too long ago; check the year.';
  return null;
}

/** Null when the number is valid or not typed yet; otherwise what is wrong, in plain words. */
export function nhsNumberProblem(value: string): string | null {
  const typed = value.trim();
  if (typed === '' || isValidNhsNumber(typed)) return null;
  const digits = typed.replace(/\D/g, '');
  if (/[^\d -]/.test(typed)) {
    return 'An NHS number has only digits (spaces or hyphens between the groups are fine).';
  }
  if (digits.length !== 10) {
    return `An NHS number has 10 digits; this has ${digits.length}. Check it against the record.`;
  }
  if (/^(\d)\1{9}$/.test(digits)) return 'This is not a real NHS number (one digit repeated).';
  if (!/^\d{3}([ -]?)\d{3}\1\d{4}$/.test(typed)) {
    return 'Write the NHS number as 3 3 4 digits with the same separator, for example 943 476 5919.';
  }
  return 'This is not a valid NHS number: the check digit does not match, so a digit is probably mistyped. Copy it again from the record.';
}

export function toForm(
  draft: TranscriptionDraft,
  fields: TranscriptionFields,
): TranscriptionFormInput {
  const optional = (value: string) => (value.trim() === '' ? undefined : value.trim());
  const name = optional(fields.patientName);
  const typedDate = optional(fields.dateOfBirth);
  // An unreadable date goes as typed, so main refuses it too rather than the entry losing it.
  const dateOfBirth =
    typedDate === undefined ? undefined : (parseUkDateInput(typedDate) ?? typedDate);
  const askedBy = draft.askedBy;
  // The account id is kept only while the name is still the one the draft proposed.
  const askedById =
    askedBy?.accountId !== undefined && askedBy.name === fields.askedByName
      ? { accountId: askedBy.accountId }
      : {};
  const chosen = draft.adviceGiverChoices.find((c) => c.accountId === fields.adviceGiverId);
  const giverId =
    chosen !== undefined && chosen.name === fields.adviceGivenByName
      ? { accountId: chosen.accountId }
      : {};
  const deleteAt = fromLocalInputValue(fields.deleteAt);
  return {
    conversationId: draft.conversationId,
    messageIds: draft.messageIds,
    patient: {
      nhsNumber: fields.nhsNumber.trim(),
      ...(name === undefined ? {} : { name }),
      ...(dateOfBirth === undefined ? {} : { dateOfBirth }),
    },
    advice: fields.advice,
    actions: fields.actions
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean),
    adviceGivenBy: { name: fields.adviceGivenByName, role: fields.adviceGivenByRole, ...giverId },
    askedBy: { name: fields.askedByName, role: fields.askedByRole, ...askedById },
    deleteOriginals:
      fields.deleteWhen === 'now' || deleteAt === null
        ? { when: 'now' }
        : { when: 'at', at: deleteAt },
    template: fields.template,
  };
}

/** Main's field-by-field errors ("patient.nhsNumber: ...") without the field path. */
export function readableProblem(error: string): string {
  return error.replace(/^[A-Za-z0-9_.]+: /, '');
}

/** 18:00 today when that is at least an hour away, otherwise 18:00 tomorrow: after surgery. */
export function defaultLaterDeletion(now: number): number {
  const evening = new Date(now);
  evening.setHours(18, 0, 0, 0);
  if (evening.getTime() - now < 60 * 60 * 1000) evening.setDate(evening.getDate() + 1);
  return evening.getTime();
}

export function toLocalInputValue(time: number): string {
  const d = new Date(time);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function fromLocalInputValue(value: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value)) return null;
  const time = new Date(value).getTime();
  return Number.isNaN(time) ? null : time;
}
