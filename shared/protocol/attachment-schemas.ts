/**
 * The relay's attachment blob store (docs/protocol.md §5a): ciphertext in chunks, addressed by a
 * random id. The relay never sees the key, the file name or the type; they travel inside the
 * end-to-end encrypted message that refers to the blob.
 */
import { z } from 'zod';
import { accountIdSchema } from './schemas.js';

export const attachmentLimits = {
  /** Plaintext bytes per chunk; each ciphertext chunk is 16 bytes longer (the AES-GCM tag). */
  chunkBytes: 512 * 1024,
  /** Largest ciphertext chunk the relay accepts (chunkBytes + tag). */
  maxChunkCiphertextBytes: 512 * 1024 + 16,
  /** Largest blob the relay accepts, whatever a practice's policy allows. */
  maxAttachmentBytes: 100 * 1024 * 1024,
  /** Recipient accounts one blob may name. */
  maxRecipients: 100,
  /** A blob is deleted this long after upload at the latest (a practice may ask for less). */
  maxRetentionSeconds: 30 * 24 * 3600,
} as const;

export const attachmentIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{22,43}$/, 'an attachment id is 22-43 URL-safe characters');

const base64Chunk = z
  .string()
  .max(Math.ceil(attachmentLimits.maxChunkCiphertextBytes / 3) * 4)
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'data must be standard base64');

export const createAttachmentRequestSchema = z.object({
  /** Ciphertext size in bytes, every chunk's tag included. */
  size: z.number().int().min(1).max(attachmentLimits.maxAttachmentBytes),
  chunkCount: z
    .number()
    .int()
    .min(1)
    .max(Math.ceil(attachmentLimits.maxAttachmentBytes / attachmentLimits.chunkBytes)),
  /** Accounts whose devices may fetch the blob; it is deleted once all of them have. */
  recipients: z.array(accountIdSchema).min(1).max(attachmentLimits.maxRecipients),
  /** Shorter retention than the relay's, e.g. the practice's message retention. */
  retentionSeconds: z.number().int().min(60).max(attachmentLimits.maxRetentionSeconds).optional(),
});

export const attachmentStatusSchema = z.object({
  attachmentId: attachmentIdSchema,
  size: z.number().int().nonnegative(),
  chunkCount: z.number().int().positive(),
  /** Indexes of the chunks the relay holds, ascending. */
  received: z.array(z.number().int().nonnegative()),
  complete: z.boolean(),
  expiresAt: z.number().int().nonnegative(),
});

export const attachmentChunkSchema = z.object({ data: base64Chunk });

/**
 * The binary form of a chunk body (§5a): a chunk PUT with this Content-Type carries the raw
 * ciphertext, and a chunk GET with this Accept is answered with it, so neither side encodes,
 * validates or parses base64 in JSON. The JSON form above stays for older clients.
 */
export const chunkBytesType = 'application/octet-stream';

export const putChunkResponseSchema = z.object({ received: z.number().int().nonnegative() });

export const attachmentFetchedResponseSchema = z.object({
  /** True when this was the last device waiting and the blob is gone. */
  deleted: z.boolean(),
});

export type AttachmentStatus = z.infer<typeof attachmentStatusSchema>;
