/**
 * PUT /v1/messages/batch: several 1:1 sends (§5) in one request (docs/protocol.md §5c). Each
 * entry is exactly the body of PUT /v1/messages/{accountId} plus the `accountId` of its path, is
 * checked and queued as that request would be, and succeeds or fails on its own; the answer
 * lists each entry's outcome in order, once every accepted entry is durably committed.
 */
import { z } from 'zod';
import { accountIdSchema, deviceIdSchema, sendMessageRequestSchema } from './schemas.js';

/** At most this many sends in one request (the 1 MiB body limit of §1.3 holds as well). */
export const maxBatchSends = 100;

export const batchSendRequestSchema = z.object({
  sends: z
    .array(sendMessageRequestSchema.extend({ accountId: accountIdSchema }))
    .min(1)
    .max(maxBatchSends)
    .refine(
      (sends) =>
        new Set(sends.map((s) => `${s.accountId.toLowerCase()} ${s.clientMessageId}`)).size ===
        sends.length,
      { message: 'each accountId and clientMessageId pair at most once' },
    ),
});
export type BatchSendRequest = z.infer<typeof batchSendRequestSchema>;

/** One entry's outcome: the 200 body of §5, or the error that request would have had. */
export const batchSendResultSchema = z.union([
  z.object({
    status: z.literal(200),
    queued: z.array(deviceIdSchema),
    duplicates: z.array(deviceIdSchema),
  }),
  z.object({
    status: z.number().int().min(400).max(599),
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
    /** Seconds, where that request's answer would have had a Retry-After header. */
    retryAfter: z.number().int().min(0).optional(),
  }),
]);
export type BatchSendResult = z.infer<typeof batchSendResultSchema>;

export const batchSendResponseSchema = z.object({ results: z.array(batchSendResultSchema) });
export type BatchSendResponse = z.infer<typeof batchSendResponseSchema>;
