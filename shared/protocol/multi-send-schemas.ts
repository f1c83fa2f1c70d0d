/**
 * PUT /v1/messages/multi-recipient: one message for many accounts in one request (docs/protocol.md §5b). The
 * ciphertext is the same for every recipient device (a libsignal sender-key message, type 7):
 * the sender uploads it once and the relay queues a copy for each named device.
 */
import { z } from 'zod';
import {
  accountIdSchema,
  clientMessageIdSchema,
  deviceIdSchema,
  registrationIdSchema,
} from './schemas.js';
import { base64Bytes } from './encoding.js';
import { protocolLimits } from './limits.js';

/** At most this many recipient accounts in one request (a group of 100 and the sender's own). */
export const maxMultiRecipientAccounts = 100;

export const multiRecipientSchema = z.object({
  accountId: accountIdSchema,
  devices: z
    .array(z.object({ deviceId: deviceIdSchema, registrationId: registrationIdSchema }))
    .min(1)
    .max(protocolLimits.maxDeviceId)
    .refine((list) => new Set(list.map((d) => d.deviceId)).size === list.length, {
      message: 'each deviceId at most once',
    }),
});

export const multiSendRequestSchema = z.object({
  clientMessageId: clientMessageIdSchema,
  clientTimestamp: z.number().int().min(0).optional(),
  /** libsignal CiphertextMessageType.SenderKey: the one type whose ciphertext all devices share. */
  type: z.literal(7),
  content: base64Bytes(1, protocolLimits.maxEnvelopeBytes),
  recipients: z
    .array(multiRecipientSchema)
    .min(1)
    .max(maxMultiRecipientAccounts)
    .refine((list) => new Set(list.map((r) => r.accountId.toLowerCase())).size === list.length, {
      message: 'each accountId at most once',
    }),
});
export type MultiSendRequest = z.infer<typeof multiSendRequestSchema>;

const perAccountDevices = z.array(
  z.object({ accountId: accountIdSchema, deviceIds: z.array(deviceIdSchema) }),
);
export const multiSendResponseSchema = z.object({
  queued: perAccountDevices,
  duplicates: perAccountDevices,
});
export type MultiSendResponse = z.infer<typeof multiSendResponseSchema>;

/** `details` of a 409 `mismatched_devices` from PUT /v1/messages/multi-recipient: per account. */
export const multiMismatchedDevicesSchema = z.object({
  accounts: z.array(
    z.object({
      accountId: accountIdSchema,
      missingDevices: z.array(z.number().int()),
      extraDevices: z.array(z.number().int()),
    }),
  ),
});
/** `details` of a 410 `stale_devices` from PUT /v1/messages/multi-recipient: per account. */
export const multiStaleDevicesSchema = z.object({
  accounts: z.array(
    z.object({ accountId: accountIdSchema, staleDevices: z.array(z.number().int()) }),
  ),
});
/** `details` of a 404 `not_found` from PUT /v1/messages/multi-recipient: the accounts that are not reachable. */
export const multiNotFoundSchema = z.object({ accountIds: z.array(accountIdSchema) });
