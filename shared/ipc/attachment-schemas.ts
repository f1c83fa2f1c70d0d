/**
 * The IPC shapes of attachments (contract.ts). The renderer never names a path: a file comes in
 * as bytes it was given (drag and drop, paste) or from main's own open dialog, and leaves through
 * main's save dialog. What the renderer gets back is display data, or an image's bytes to decode
 * in its sandbox; never a key or ciphertext.
 */
import { z } from 'zod';
import { maxMessageTextLength } from './message-limits.js';
import { attachmentTypeSchema, conversationIdSchema, messageIdSchema } from './view-schemas.js';

/** The policy allows up to 100 MB (maxAttachmentMB); base64 makes 4 characters of every 3 bytes. */
const maxBase64Length = Math.ceil((100 * 1_048_576) / 3) * 4;

export const base64Schema = z
  .string()
  .max(maxBase64Length, 'a file of at most 100 MB')
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64');

/** A file chosen but not sent yet, held in main until sent, discarded or the profile locks. */
export const stageIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{16,64}$/, 'a stage id as attachments.stage or choose gave it');

export const stagedAttachmentSchema = z.object({
  stageId: stageIdSchema,
  /** Cleaned: no folders, the extension of the type found in the bytes. */
  name: z.string(),
  type: attachmentTypeSchema,
  size: z.number().int().positive(),
  /** A JPEG or PNG small enough to decode: its bytes, for the preview. Null otherwise. */
  imageBase64: base64Schema.nullable(),
});
export type StagedAttachment = z.infer<typeof stagedAttachmentSchema>;

export const stageRequestSchema = z.strictObject({
  /** The name the file had where the user dropped or pasted it from (only its last part is kept). */
  name: z.string().trim().min(1).max(255),
  dataBase64: base64Schema.min(1, 'the file is empty'),
});

export const sendAttachmentRequestSchema = z.strictObject({
  conversationId: conversationIdSchema,
  stageId: stageIdSchema,
  caption: z.string().max(maxMessageTextLength).default(''),
  /** The user saw the patient-identifiable-data warning (name or caption) and chose to send anyway. */
  sendDespitePidWarning: z.boolean().default(false),
  /**
   * The answer to "Does this show patient details?", asked before every image unless the policy
   * (askImagePatientDetails) turns it off; null when not asked. Main refuses an image without it.
   */
  imageShowsPatientDetails: z.boolean().nullable().default(null),
  /** Sent as urgent, as messages.send does for text. */
  urgent: z.boolean().default(false),
  /** The message this file answers (messages.send's replyToMessageId). */
  replyToMessageId: messageIdSchema.optional(),
});

export const attachmentOfMessageSchema = z.strictObject({
  conversationId: conversationIdSchema,
  messageId: messageIdSchema,
});

export const inlineImageSchema = z.object({
  type: z.enum(['image/jpeg', 'image/png']),
  dataBase64: base64Schema,
});
