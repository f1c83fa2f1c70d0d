/**
 * The plaintext that travels inside the Signal encryption: a versioned JSON document, padded so
 * the ciphertext length says little about the message length. The relay never sees any of it.
 */
import { z } from 'zod';
import { MessengerError } from '../../../shared/errors.js';
import {
  ackTokenSchema,
  alertIdSchema,
  attachmentIdSchema,
  attachmentLimits,
  roleIdSchema,
  roleLimits,
} from '../../../shared/protocol/index.js';
import { signedGroupStateSchema } from './groups/group-state.js';

export const contentVersion = 1;

/** Ciphertext sizes come in steps of this many bytes (Signal uses 160; a larger step hides more). */
export const paddingBlockSize = 256;

const messageId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{8,64}$/, 'a message id is 8-64 URL-safe characters');
const messageIds = z.array(messageId).min(1).max(500);

/**
 * A message to a duty role (v1): which role it was addressed to, and, when the sender asks for
 * acknowledgement, the alert and the token that acknowledges it on the relay (protocol §14).
 * Optional, so older clients show the text and ignore the role.
 */
export const roleTagSchema = z.object({
  v: z.literal(1),
  roleId: roleIdSchema,
  name: z.string().min(1).max(roleLimits.maxRoleNameLength),
  /** Set on a copy that reached this role because another one was not acknowledged in time. */
  escalatedFrom: z.string().min(1).max(roleLimits.maxRoleNameLength).optional(),
  alertId: alertIdSchema.optional(),
  ackToken: ackTokenSchema.optional(),
  /**
   * On an escalation copy re-sealed by a device that had the message (not its sender): who first
   * sent it. The copy comes from that device's account, which vouches for it.
   */
  firstSender: z.string().min(1).max(100).optional(),
});
export type RoleTag = z.infer<typeof roleTagSchema>;

const textContent = z.object({
  kind: z.literal('text'),
  text: z.string().min(1).max(20_000),
  urgent: z.boolean().optional(),
  replyTo: messageId.optional(),
  role: roleTagSchema.optional(),
});
/** Most earlier messages one role-history content carries (the newest are kept). */
export const maxRoleHistoryItems = 50;

/**
 * The recent history of the sender's conversation with a duty role, for a holder who came on duty
 * after some of it was sent (v1): each earlier message as the sender sent it, with who it was sent
 * to and, while it still waits for acknowledgement, its alert and token so the new holder can
 * acknowledge it. Sent 1:1 like any message; the relay sees only an envelope.
 */
const roleHistoryContent = z.object({
  kind: z.literal('role-history'),
  role: z.object({
    v: z.literal(1),
    roleId: roleIdSchema,
    name: z.string().min(1).max(roleLimits.maxRoleNameLength),
  }),
  items: z
    .array(
      z.object({
        id: messageId,
        sentAt: z.number().int().nonnegative(),
        text: z.string().min(1).max(20_000),
        urgent: z.boolean().optional(),
        /** Display names of the holders it was first sent to. */
        to: z.array(z.string().min(1).max(200)).max(50),
        alertId: alertIdSchema.optional(),
        ackToken: ackTokenSchema.optional(),
      }),
    )
    .min(1)
    .max(maxRoleHistoryItems),
});

const receiptContent = z.object({
  kind: z.literal('receipt'),
  receipt: z.enum(['delivered', 'read']),
  messageIds,
});
const deleteContent = z.object({
  kind: z.literal('delete'),
  messageIds,
  /** Why the originals go, shown to every participant ("transcribed into the record", "deleted by sender"). */
  reason: z.enum(['sender', 'transcribed']),
  /**
   * With reason `transcribed`: when the sender confirmed the transcription, for the marker every
   * device shows in place of the deleted run. Optional: older senders leave it out.
   */
  transcribedAt: z.number().int().nonnegative().optional(),
});
const transcribedContent = z.object({
  kind: z.literal('transcribed'),
  messageIds,
  transcribedBy: z.string().min(1).max(200),
  transcribedAt: z.number().int().nonnegative(),
  /** When the originals will be deleted everywhere; absent when deleted at once. */
  deleteAt: z.number().int().nonnegative().optional(),
});
const timerContent = z.object({
  kind: z.literal('disappearing-timer'),
  /** Seconds a message lives after it is sent; 0 turns the timer off. */
  seconds: z
    .number()
    .int()
    .min(0)
    .max(366 * 24 * 3600),
});
const sessionResetContent = z.object({
  /** Asks the peer to start a fresh session because an envelope could not be decrypted. */
  kind: z.literal('session-reset'),
  /** Ids of the sender's messages that could not be decrypted here, for the sender to resend. */
  messageIds: messageIds.optional(),
});

/**
 * A file (v1 of the attachment kind): the relay blob holding its ciphertext and all a recipient
 * needs to fetch, decrypt and check it. The key and name exist only here and in the profiles.
 */
const attachmentDescriptor = z.object({
  v: z.literal(1),
  id: attachmentIdSchema,
  /** AES-256-GCM key, base64. */
  key: z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'a 32-byte base64 key'),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'a hex SHA-256'),
  size: z.number().int().positive().max(attachmentLimits.maxAttachmentBytes),
  chunkCount: z.number().int().positive(),
  type: z.enum(['image/jpeg', 'image/png', 'image/heic', 'application/pdf', 'text/plain']),
  name: z.string().min(1).max(120),
});

const attachmentContent = z.object({
  kind: z.literal('attachment'),
  /** An optional caption. */
  text: z.string().max(20_000).optional(),
  attachment: attachmentDescriptor,
  urgent: z.boolean().optional(),
  replyTo: messageId.optional(),
  /** Sent to a duty role, as on a text. */
  role: roleTagSchema.optional(),
});

/** An account id as the relay issued it; only ever compared with stored ones. */
const accountId = z.string().min(1).max(100);

/**
 * What one of the person's own devices did, for their other devices (docs/protocol.md, "Sync
 * between a person's own devices"): only ever accepted from the person's own account. `peer` is
 * the other person of the direct conversation it happened in, or the group's id.
 */
const syncEvent = z.discriminatedUnion('type', [
  /** A message this person sent from another device: shown there as sent by me. */
  z.object({
    type: z.literal('sent'),
    messageId,
    /** The text, or a file's caption (then optional). */
    text: z.string().min(1).max(20_000).optional(),
    /**
     * A file sent from the other device: the same descriptor its recipient got, so this device
     * fetches it too (the blob lists the person's own account among its recipients).
     */
    attachment: attachmentDescriptor.optional(),
    urgent: z.boolean().optional(),
    replyTo: messageId.optional(),
    sentAt: z.number().int().nonnegative(),
  }),
  /** Incoming messages read on another device. */
  z.object({ type: z.literal('read'), messageIds }),
  /** Messages deleted for everyone from another device (as `delete`). */
  z.object({
    type: z.literal('deleted'),
    messageIds,
    reason: z.enum(['sender', 'transcribed']),
    transcribedAt: z.number().int().nonnegative().optional(),
  }),
  /** Messages this person transcribed into a record on another device (as `transcribed`). */
  z.object({
    type: z.literal('transcribed'),
    messageIds,
    transcribedAt: z.number().int().nonnegative(),
    deleteAt: z.number().int().nonnegative().optional(),
  }),
  /**
   * The person acknowledged the peer's changed keys on another device. Applied only to devices
   * of the peer whose key here is exactly one of these (base64 serialized identity keys).
   */
  z.object({
    type: z.literal('identity-acknowledged'),
    identityKeys: z.array(z.string().min(1).max(100)).min(1).max(127),
  }),
  /**
   * Part of the recent history of the conversation with `peer`, sent by the PC that approved a
   * newly linked one (history-transfer.ts). Messages already stored or deleted are skipped.
   */
  z.object({
    type: z.literal('history'),
    messages: z
      .array(
        z.object({
          messageId,
          direction: z.enum(['incoming', 'outgoing']),
          text: z.string().min(1).max(20_000),
          urgent: z.boolean().optional(),
          sentAt: z.number().int().nonnegative(),
          read: z.boolean().optional(),
        }),
      )
      .min(1)
      .max(500),
  }),
  /** The person removed one of their devices there (then `peer` is the person's own id). */
  z.object({ type: z.literal('device-removed'), deviceId: z.number().int().min(1).max(127) }),
  z.object({
    type: z.literal('disappearing-timer'),
    seconds: z
      .number()
      .int()
      .min(0)
      .max(366 * 24 * 3600),
  }),
]);
const syncContent = z.object({ kind: z.literal('sync'), peer: accountId, sync: syncEvent });
export type SyncEvent = z.infer<typeof syncEvent>;

const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

/** A group's new state, signed by the member who changed it (groups/group-state.ts); sent 1:1. */
const groupUpdateContent = z.object({
  kind: z.literal('group-update'),
  state: signedGroupStateSchema,
});
/**
 * The sender's key for a group (a libsignal SenderKeyDistributionMessage), sent 1:1 to each member
 * device before the first group message that needs it, with the group state it was made for.
 */
const groupSenderKeyContent = z.object({
  kind: z.literal('group-sender-key'),
  distributionId: uuid,
  skdm: z
    .string()
    .regex(/^[A-Za-z0-9+/]+={0,2}$/)
    .max(2_000),
  state: signedGroupStateSchema,
});

const body = z.discriminatedUnion('kind', [
  syncContent,
  groupUpdateContent,
  groupSenderKeyContent,
  attachmentContent,
  textContent,
  receiptContent,
  deleteContent,
  transcribedContent,
  timerContent,
  sessionResetContent,
  roleHistoryContent,
]);

export const contentSchema = z
  .object({
    v: z.literal(contentVersion),
    id: messageId,
    sentAt: z.number().int().nonnegative(),
    /** Set on content that belongs to a group conversation (a group message, its receipts). */
    groupId: uuid.optional(),
  })
  .and(body);

export type Content = z.infer<typeof contentSchema>;
export type ContentBody = z.infer<typeof body>;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** JSON, then 0x80, then zeros up to the next multiple of paddingBlockSize. */
export function encodeContent(content: Content): Uint8Array {
  const parsed = contentSchema.parse(content);
  const json = encoder.encode(JSON.stringify(parsed));
  const padded = new Uint8Array(Math.ceil((json.length + 1) / paddingBlockSize) * paddingBlockSize);
  padded.set(json);
  padded[json.length] = 0x80;
  return padded;
}

export function decodeContent(bytes: Uint8Array): Content {
  let end = bytes.length - 1;
  while (end >= 0 && bytes[end] === 0) end -= 1;
  if (end < 0 || bytes[end] !== 0x80) {
    throw new MessengerError('invalid_input', 'Message content has no padding terminator.');
  }
  let json: unknown;
  try {
    json = JSON.parse(decoder.decode(bytes.subarray(0, end)));
  } catch {
    throw new MessengerError('invalid_input', 'Message content is not valid UTF-8 JSON.');
  }
  const result = contentSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new MessengerError(
      'invalid_input',
      `Message content is not understood (${issue?.path.join('.') || 'content'}: ${issue?.message ?? 'invalid'}); the sender may run a newer version.`,
    );
  }
  return result.data;
}
