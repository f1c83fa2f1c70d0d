/**
 * IPC schemas of the clinical methods: transcription into the patient record, the audit view and
 * the Subject Access Request export. The transcription form is deliberately loose about the
 * clinical fields (the NHS number is any short string here): main validates the completed entry
 * with recordEntrySchema and answers with every problem at once, for the form to show.
 */
import { z } from 'zod';
import { defaultEntryTemplate, entryTemplates } from '../clinical/advice-prefill.js';
import { isValidNhsNumber } from '../clinical/nhs-number.js';
import {
  accountIdSchema,
  conversationIdSchema,
  messageIdSchema,
  roleSchema,
  timestampSchema,
} from './view-schemas.js';

/** At most this many messages go into one record entry (the record entry's own bound). */
export const maxTranscribedMessages = 500;

export const transcriptionSelectionSchema = z.strictObject({
  conversationId: conversationIdSchema,
  messageIds: z.array(messageIdSchema).min(1).max(maxTranscribedMessages),
});
export type TranscriptionSelection = z.infer<typeof transcriptionSelectionSchema>;

/** A person as the record names them: free-text role ("GP", "Practice nurse"). */
export const staffMemberFormSchema = z.strictObject({
  name: z.string().max(100),
  role: z.string().max(60),
  accountId: accountIdSchema.optional(),
});
export type StaffMemberForm = z.infer<typeof staffMemberFormSchema>;

/** When the original messages go: at once, or at a chosen time (still on every device). */
export const originalsDeletionRequestSchema = z.discriminatedUnion('when', [
  z.strictObject({ when: z.literal('now') }),
  z.strictObject({ when: z.literal('at'), at: timestampSchema }),
]);
export type OriginalsDeletionRequest = z.infer<typeof originalsDeletionRequestSchema>;

/**
 * The completed transcription panel. Who transcribes, when, and the source are not in it: main
 * takes them from the profile and the selected messages, so the renderer cannot misattribute.
 */
export const transcriptionFormSchema = z.strictObject({
  conversationId: conversationIdSchema,
  messageIds: z.array(messageIdSchema).min(1).max(maxTranscribedMessages),
  patient: z.strictObject({
    nhsNumber: z.string().max(20),
    name: z.string().max(200).optional(),
    /** yyyy-mm-dd */
    dateOfBirth: z.string().max(10).optional(),
  }),
  advice: z.string().max(20_000),
  actions: z.array(z.string().max(1_000)).max(50).default([]),
  /**
   * Who gave the advice. With an account id, main dates the advice from that person's last
   * selected message; the account must be an author in the selection or in the directory.
   */
  adviceGivenBy: staffMemberFormSchema,
  askedBy: staffMemberFormSchema,
  deleteOriginals: originalsDeletionRequestSchema,
  /** The plain-text layout (compact by default; full adds every audit detail). */
  template: z.enum(entryTemplates).default(defaultEntryTemplate),
});
export type TranscriptionForm = z.output<typeof transcriptionFormSchema>;
export type TranscriptionFormInput = z.input<typeof transcriptionFormSchema>;

export const staffMemberViewSchema = z.object({
  name: z.string(),
  role: z.string(),
  accountId: accountIdSchema.optional(),
});

export const quotedMessageViewSchema = z.object({
  messageId: messageIdSchema,
  senderAccountId: accountIdSchema,
  senderName: z.string(),
  senderRole: z.string(),
  sentAt: timestampSchema,
  /** Already transcribed by someone (the panel warns before a second entry). */
  transcribedAt: timestampSchema.nullable(),
  /** What the message says, so the panel can quote it again in another layout or role. */
  text: z.string(),
  /** Written by someone in a clinical role (clinician, nurse, pharmacist). */
  clinical: z.boolean(),
  urgent: z.boolean(),
});

/** Someone the panel offers as the advice giver: an author in the selection, or a clinician. */
export const adviceGiverChoiceSchema = z.object({
  name: z.string(),
  role: z.string(),
  accountId: accountIdSchema,
  inSelection: z.boolean(),
});
export type AdviceGiverChoice = z.infer<typeof adviceGiverChoiceSchema>;

/** What the panel opens with; every field can still be edited except the transcriber. */
export const transcriptionDraftSchema = z.object({
  conversationId: conversationIdSchema,
  /** In time order. */
  messageIds: z.array(messageIdSchema),
  quoted: z.array(quotedMessageViewSchema),
  advice: z.string(),
  /** Null when no clinician wrote in the selection: the user must choose who gave the advice. */
  adviceGivenAt: timestampSchema.nullable(),
  adviceReceivedAt: timestampSchema.nullable(),
  /** The last author in a clinical role in the selection, never simply the last author. */
  adviceGivenBy: staffMemberViewSchema.nullable(),
  /** Authors in the selection first (latest first), then the directory's other clinicians. */
  adviceGiverChoices: z.array(adviceGiverChoiceSchema),
  /** Found in the selected messages: a valid NHS number, and a name and DOB beside it. */
  patient: z.object({
    nhsNumber: z.string(),
    name: z.string(),
    /** yyyy-mm-dd, or empty. */
    dateOfBirth: z.string(),
    nhsNumbersFound: z.number().int().min(0),
  }),
  /** Any selected message was urgent: the entry's priority. */
  urgent: z.boolean(),
  /** Null when nobody else spoke in the selection: the user names who asked. */
  askedBy: staffMemberViewSchema.nullable(),
  transcribedBy: staffMemberViewSchema,
});
export type TranscriptionDraft = z.infer<typeof transcriptionDraftSchema>;

export const entryFormatSchema = z.enum(['text', 'fhir']);
export type EntryFormat = z.infer<typeof entryFormatSchema>;

export const renderedEntrySchema = z.object({
  format: entryFormatSchema,
  /** Null when the form is incomplete; `errors` then says what to fix, field by field. */
  content: z.string().nullable(),
  errors: z.array(z.string()),
});

/**
 * "Entered into the record". Main refuses it unless this exact entry was copied or saved as a
 * FHIR file while the profile was unlocked, or the user ticked "I have entered it another way".
 */
export const transcriptionConfirmRequestSchema = z.strictObject({
  form: transcriptionFormSchema,
  enteredAnotherWay: z.boolean().default(false),
});

/** What confirming would delete, for the confirmation to name (and whether this user may). */
export const deletionScopeSchema = z.object({
  messages: z.number().int().nonnegative(),
  /** How many of them someone else wrote: deleting those needs a clinical role. */
  fromOthers: z.number().int().nonnegative(),
  /** This device plus the other person's devices. */
  devices: z.number().int().positive(),
  peerDevices: z.number().int().nonnegative(),
  peerName: z.string().nullable(),
  /** Why this user may not confirm it (not a clinical role); null when they may. */
  refusal: z.string().nullable(),
});
export type DeletionScope = z.infer<typeof deletionScopeSchema>;

export const transcriptionConfirmedSchema = z.object({
  auditId: z.number().int().positive(),
  /** `now`: deleted everywhere when the undo window ends; `later`: marked, deleted at deleteAt. */
  originals: z.enum(['now', 'later']),
  deleteAt: timestampSchema,
  /** Until then `transcription.undo` cancels it and nothing goes out. */
  undoUntil: timestampSchema,
  scope: deletionScopeSchema,
});

export const transcriptionUndoRequestSchema = z.strictObject({
  auditId: z.number().int().positive(),
});

/** Advice from a clinician that is in no record and that retention deletes soon. */
export const untranscribedAdviceSchema = z.object({
  messageId: messageIdSchema,
  conversationId: conversationIdSchema,
  senderAccountId: accountIdSchema,
  senderName: z.string(),
  senderRole: roleSchema,
  sentAt: timestampSchema,
  /** When retention deletes it from this device. */
  expiresAt: timestampSchema,
  /** The start of the message, to recognise it by. */
  excerpt: z.string(),
});
export type UntranscribedAdvice = z.infer<typeof untranscribedAdviceSchema>;

export const untranscribedAdviceListSchema = z.object({
  /** The policy's retentionWarningDays: how long before deletion advice is listed. */
  warningDays: z.number().int().nonnegative(),
  items: z.array(untranscribedAdviceSchema),
});

export const noRecordNeededRequestSchema = z.strictObject({
  messageIds: z.array(messageIdSchema).min(1).max(maxTranscribedMessages),
});

export const auditEntryViewSchema = z.object({
  id: z.number().int().positive(),
  at: timestampSchema,
  actor: z
    .object({ accountId: accountIdSchema, displayName: z.string(), role: roleSchema.nullable() })
    .nullable(),
  action: z.string(),
  conversationId: conversationIdSchema.nullable(),
  messageIds: z.array(z.string()),
  /** Keyed hash of the patient identifier: matches entries about one patient, reveals nothing. */
  patientRefHash: z.string().nullable(),
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
});
export type AuditEntryView = z.infer<typeof auditEntryViewSchema>;

/**
 * One record of the practice-wide audit trail (docs/protocol.md §13) for the manager's view: an
 * audit entry whose id is the trail's seq, from a device (sealed to the readers, opened in main)
 * or from the relay (enrolments, revocations, wipes). Never message text.
 */
export const practiceAuditEntryViewSchema = auditEntryViewSchema.extend({
  source: z.enum(['device', 'relay']),
  /** Whose device appended it (device records) or whom the relay's record is about. */
  subject: z.object({
    accountId: accountIdSchema,
    displayName: z.string(),
    role: roleSchema.nullable(),
    deviceId: z.number().int().positive(),
  }),
  /** False when this device cannot open it (sealed before it joined) or it is malformed. */
  readable: z.boolean(),
});
export type PracticeAuditEntryView = z.infer<typeof practiceAuditEntryViewSchema>;

/** A valid NHS number as typed (spaces allowed); main normalises it and never logs it. */
export const nhsNumberInputSchema = z
  .string()
  .max(20)
  .refine(isValidNhsNumber, 'an NHS number: ten digits (3 3 4) with a valid check digit');

export const practiceAuditRequestSchema = z.strictObject({
  /** Only entries of this kind (an action such as `transcription.confirmed`). */
  kind: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'a kind is 1-64 letters, digits, . _ -')
    .optional(),
  /** Only entries done by, or about, this person. */
  accountId: accountIdSchema.optional(),
  /** Only entries from this time (inclusive) and before that one (exclusive), ms since the epoch. */
  sinceAt: timestampSchema.optional(),
  untilAt: timestampSchema.optional(),
  /**
   * Only entries about this patient: main hashes the number with this device's key (the same
   * keyed hash the trail holds); the number itself is never stored, sent or logged.
   */
  patientNhsNumber: z
    .string()
    .max(20)
    .refine(isValidNhsNumber, 'an NHS number: ten digits (3 3 4) with a valid check digit')
    .optional(),
  limit: z.number().int().min(1).max(500).default(200),
  /** The next (older) page: entries with a seq below this, from what main already verified. */
  beforeSeq: z.number().int().positive().optional(),
  /**
   * The view was just opened: read and check the whole chain again. Otherwise main reads only
   * the records appended since its last read (and checks them on from there).
   */
  fresh: z.boolean().optional(),
});

export const practiceAuditViewSchema = z.object({
  /** The chain as this device recomputed it; brokenAt is the first record that does not fit. */
  chain: z.object({
    intact: z.boolean(),
    brokenAt: z.number().int().nullable(),
    records: z.number().int().nonnegative(),
  }),
  /** Newest first, filtered. */
  entries: z.array(practiceAuditEntryViewSchema),
  /** Every kind and person in the whole trail, for the filters. */
  kinds: z.array(z.string()),
  people: z.array(z.object({ accountId: accountIdSchema, displayName: z.string() })),
  nextBeforeSeq: z.number().int().positive().nullable(),
});
export type PracticeAuditView = z.infer<typeof practiceAuditViewSchema>;

/** A Subject Access Request reference as the practice files it ("SAR-2025-014"); not PID. */
export const exportReferenceSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9 ._/-]{0,63}$/, 'a reference is 1-64 letters, digits, . _ / -');
