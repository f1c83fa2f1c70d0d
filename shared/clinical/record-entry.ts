import { z } from 'zod';
import { MessengerError } from '../errors.js';
import { professionalIdsSchema } from '../protocol/schemas.js';
import { isValidNhsNumber, normaliseNhsNumber } from './nhs-number.js';

/**
 * One piece of advice transcribed from a conversation into the patient's record (DOMAIN.md, "A
 * record entry transcribed from a conversation"). Times are milliseconds since the Unix epoch,
 * as everywhere else in the app; the date of birth is a calendar date, not an instant.
 *
 * Roles are free text ("GP", "Practice nurse", "Receptionist"), not the coarse account role,
 * because the record should say what the person's job is, in the practice's words.
 *
 * Validation messages never echo the value given: they end up in errors and logs, and the value
 * may be PID.
 */

const timestamp = (what: string) =>
  z
    .number({ error: `${what} must be a time (milliseconds since 1970)` })
    .int({ error: `${what} must be a whole number of milliseconds` })
    .min(Date.UTC(2000, 0, 1), { error: `${what} is before the year 2000` })
    .max(Date.UTC(2200, 0, 1), { error: `${what} is too far in the future` });

const text = (what: string, max: number) =>
  z
    .string({ error: `${what} is required` })
    .trim()
    .min(1, { error: `${what} is required` })
    .max(max, { error: `${what} is longer than ${max} characters` });

export const staffMemberSchema = z.object({
  name: text('Name', 100),
  role: text('Role', 60),
  /** Messenger account id, for the FHIR reference identifier; optional. */
  accountId: z.string().trim().min(1).max(64).optional(),
  /** GMC / NMC / SDS user id from the practice directory, when the practice recorded them. */
  identifiers: professionalIdsSchema.optional(),
});

/**
 * A file in a selected message, listed in the entry so the record says what was seen: its name,
 * type (decided from the bytes when it was sent), size and the SHA-256 of its bytes.
 */
export const recordAttachmentSchema = z.object({
  name: text('The attachment name', 255),
  contentType: z
    .string()
    .regex(/^[a-z]+\/[a-z0-9.+-]+$/, { error: 'The attachment type must be a media type' }),
  size: z
    .number()
    .int({ error: 'The attachment size must be a whole number of bytes' })
    .min(0, { error: 'The attachment size cannot be negative' }),
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/, { error: 'The attachment SHA-256 must be 64 lower-case hex digits' }),
});

export const recordEntrySchema = z.object({
  patient: z.object({
    nhsNumber: z
      .string({ error: 'The patient NHS number is required' })
      .refine(isValidNhsNumber, {
        error:
          'The patient NHS number is not valid: it must be 10 digits (written 3 3 4) with a correct check digit',
      })
      .transform((n) => normaliseNhsNumber(n)!),
    name: text('Patient name', 200).optional(),
    dateOfBirth: z.iso
      .date({ error: 'The patient date of birth must be a real date (dd/mm/yyyy)' })
      .optional(),
    /**
     * True only when the number was traced against the Personal Demographics Service (UK Core
     * verification status 01). A number typed or copied by hand is "present but not traced" (02).
     */
    nhsNumberVerified: z.boolean().default(false),
  }),
  /** Any of the source messages was sent as urgent (FHIR priority "urgent"). */
  urgent: z.boolean().default(false),
  adviceGivenAt: timestamp('The time the advice was given'),
  /** When the person who asked received it (read receipt), if known. */
  adviceReceivedAt: timestamp('The time the advice was received').optional(),
  recordedAt: timestamp('The time of recording'),
  source: z.object({
    conversationId: text('The conversation id', 64),
    messageIds: z
      .array(text('A message id', 64), { error: 'The source message ids are required' })
      .min(1, { error: 'At least one source message is required' })
      .max(500, { error: 'At most 500 source messages can be transcribed at once' }),
  }),
  adviceGivenBy: staffMemberSchema,
  askedBy: staffMemberSchema,
  /** Summarised or quoted (see buildAdviceText for the quoted form). */
  advice: text('The advice', 20_000),
  actions: z.array(text('An action', 1_000)).max(50, { error: 'At most 50 actions' }).default([]),
  /** Files in the selected messages, in message order. */
  attachments: z
    .array(recordAttachmentSchema)
    .max(500, { error: 'At most 500 attachments' })
    .default([]),
  transcribedBy: staffMemberSchema,
  /** The originals are deleted everywhere once the entry is confirmed, now or at a set time. */
  originalsDeletion: z.object({
    at: timestamp('The deletion time of the original messages'),
    status: z.enum(['scheduled', 'deleted'], {
      error: 'The deletion status must be "scheduled" or "deleted"',
    }),
  }),
});

/** What callers build (NHS number in any accepted spelling, actions optional). */
export type RecordEntryInput = z.input<typeof recordEntrySchema>;
/** After validation: NHS number as ten bare digits, names trimmed, actions present. */
export type RecordEntry = z.output<typeof recordEntrySchema>;
export type StaffMember = z.output<typeof staffMemberSchema>;
export type RecordAttachment = z.output<typeof recordAttachmentSchema>;

export type RecordEntryValidation =
  | { readonly ok: true; readonly value: RecordEntry }
  | { readonly ok: false; readonly errors: readonly string[] };

/** For forms: every problem, each as "field: message", in the order of the form. */
export function validateRecordEntry(input: unknown): RecordEntryValidation {
  const result = recordEntrySchema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  const errors = result.error.issues.map((issue) =>
    issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message,
  );
  return { ok: false, errors };
}

/** Throws MessengerError `invalid_input` listing every problem. */
export function parseRecordEntry(input: unknown): RecordEntry {
  const result = validateRecordEntry(input);
  if (result.ok) return result.value;
  throw new MessengerError(
    'invalid_input',
    `The record entry is incomplete or invalid: ${result.errors.join('; ')}`,
    { errors: result.errors },
  );
}

export function describeStaffMember(person: StaffMember): string {
  return `${person.name} (${person.role})`;
}
