import { z } from 'zod';
import { base64Bytes } from './encoding.js';
import { protocolLimits } from './limits.js';
import { accountIdSchema, clientMessageIdSchema, deviceIdSchema } from './schemas.js';

// WebSocket frames on GET /v1/websocket: JSON text frames, one object each, told apart by `type`.

/** The person's own device that removed this one (§2a), in the wipe frame and the 403 details. */
export const removedBySchema = z.object({
  /** The person's name as the practice directory has it. */
  displayName: z.string().max(100),
  deviceId: deviceIdSchema,
  deviceName: z.string().max(100).nullable(),
});
export type WireRemovedBy = z.infer<typeof removedBySchema>;

/** An envelope as delivered to the recipient device. `id` is the relay's, used to ack. */
export const incomingEnvelopeSchema = z.object({
  id: z.string().regex(/^[0-9]+$/),
  senderAccountId: accountIdSchema,
  senderDeviceId: deviceIdSchema,
  clientMessageId: clientMessageIdSchema,
  type: z.number().int(),
  content: base64Bytes(1, protocolLimits.maxEnvelopeBytes),
  clientTimestamp: z.number().int().nullable(),
  /** When the relay accepted it, milliseconds since the epoch. */
  serverTimestamp: z.number().int(),
});
export type IncomingEnvelope = z.infer<typeof incomingEnvelopeSchema>;

export const serverFrameSchema = z.discriminatedUnion('type', [
  /** After authentication: who the relay thinks you are. */
  z.object({
    type: z.literal('ready'),
    accountId: accountIdSchema,
    deviceId: deviceIdSchema,
  }),
  z.object({ type: z.literal('envelope'), envelope: incomingEnvelopeSchema }),
  /** Sent once per connection, after every envelope queued at connect time has been sent. */
  z.object({ type: z.literal('queue_empty') }),
  z.object({ type: z.literal('pong') }),
  /**
   * The device must erase its local data; the relay closes with 4003 right after. `removedBy`
   * names the person's own device that removed it (§2a); absent when IT or an admin revoked it.
   */
  z.object({ type: z.literal('wipe'), removedBy: removedBySchema.optional() }),
  /** A bad frame or a condition the relay reports before closing. */
  z.object({ type: z.literal('error'), code: z.string(), message: z.string() }),
]);
export type ServerFrame = z.infer<typeof serverFrameSchema>;

/** An acked envelope id: the decimal queue id the relay sent. */
export const ackIdPattern = /^[0-9]{1,19}$/;

export const clientFrameSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('auth'), token: z.string().min(1).max(256) }),
  z.object({
    type: z.literal('ack'),
    ids: z
      .array(z.string().regex(ackIdPattern))
      .min(1)
      .max(protocolLimits.webSocketWindow * 10),
  }),
  z.object({ type: z.literal('ping') }),
]);
export type ClientFrame = z.infer<typeof clientFrameSchema>;

/** WebSocket close codes the relay uses (4000-4999 are application codes). */
export const closeCodes = {
  normal: 1000,
  goingAway: 1001,
  /** The relay failed to set up the connection (for example its disk was busy); reconnect later. */
  internalError: 1011,
  /** Another connection authenticated as the same device. */
  replaced: 4000,
  /** Missing or unknown token, or no `auth` frame in time. */
  unauthorized: 4001,
  /** The device or its account was revoked (without wipe). */
  revoked: 4002,
  /** The device was revoked with remote wipe: erase local data. */
  wipe: 4003,
  /** Malformed frames. */
  protocolError: 4400,
  rateLimited: 4429,
} as const;
