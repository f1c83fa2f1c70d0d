import { z } from 'zod';
import { base64Bytes, ecPublicKey, kemPublicKey, signature, uint24, uint32 } from './encoding.js';
import { envelopeTypes, protocolLimits, roles } from './limits.js';

// Requests are parsed with these schemas on the relay; responses are what the relay sends and
// what a client may parse with the same schemas. Unknown request fields are ignored.

export const roleSchema = z.enum(roles);
export const accountIdSchema = z.string().uuid();
export const deviceIdSchema = z.number().int().min(1).max(protocolLimits.maxDeviceId);
/** libsignal registration ids are 14 bits; 0 is not a valid one. */
export const registrationIdSchema = z.number().int().min(1).max(0x3fff);
export const clientMessageIdSchema = z
  .string()
  .min(1)
  .max(protocolLimits.maxClientMessageIdLength)
  .regex(/^[A-Za-z0-9._:-]+$/, 'use only letters, digits and . _ : -');

export const preKeySchema = z.object({ keyId: uint24, publicKey: ecPublicKey });
export const signedPreKeySchema = z.object({ keyId: uint24, publicKey: ecPublicKey, signature });
export const kyberPreKeySchema = z.object({
  keyId: uint32,
  publicKey: kemPublicKey,
  signature,
});
export type PreKey = z.infer<typeof preKeySchema>;
export type SignedPreKey = z.infer<typeof signedPreKeySchema>;
export type KyberPreKey = z.infer<typeof kyberPreKeySchema>;

const preKeyBatch = z.array(preKeySchema).max(protocolLimits.maxPreKeysPerRequest);
const kyberPreKeyBatch = z.array(kyberPreKeySchema).max(protocolLimits.maxPreKeysPerRequest);

// POST /v1/enrol
export const enrolRequestSchema = z.object({
  code: z.string().min(1).max(64),
  registrationId: registrationIdSchema,
  identityKey: ecPublicKey,
  signedPreKey: signedPreKeySchema,
  kyberLastResortPreKey: kyberPreKeySchema,
  preKeys: preKeyBatch,
  kyberPreKeys: kyberPreKeyBatch,
  /** A label for the admin's device list, e.g. "Reception PC 2". Not shown to other staff. */
  deviceName: z.string().min(1).max(64).optional(),
  /**
   * The bearer token the device chose (32 random bytes, base64url). With it, the identical request
   * sent again after a lost answer gets the same answer instead of `enrolment_code_used`.
   */
  token: z
    .string()
    .regex(/^[A-Za-z0-9_-]{43}$/, 'token must be 32 random bytes in base64url (43 characters)')
    .optional(),
});
export type EnrolRequest = z.infer<typeof enrolRequestSchema>;

// GET /v1/me
export const meResponseSchema = z.object({
  accountId: accountIdSchema,
  deviceId: deviceIdSchema,
  displayName: z.string(),
  role: roleSchema,
  org: z.string(),
});
export type MeResponse = z.infer<typeof meResponseSchema>;

// GET /v1/devices: the caller's own account's active devices (docs/protocol.md §2a)
export const ownDeviceSchema = z.object({
  deviceId: deviceIdSchema,
  /** The name given at enrolment ("Room 4 PC"); null when none. */
  name: z.string().max(100).nullable(),
  createdAt: z.number().int(),
  /** When the device last connected to or left the relay (or enrolled, until it connects). */
  lastSeenAt: z.number().int().nullable(),
});
export type OwnDevice = z.infer<typeof ownDeviceSchema>;
export const ownDevicesResponseSchema = z.object({ devices: z.array(ownDeviceSchema) });

// POST /v1/devices/{deviceId}/remove
export const removeDeviceResponseSchema = z.object({ removed: deviceIdSchema });

/** The enrolment answer: who the device now is (as GET /v1/me says it) plus its bearer token. */
export const enrolResponseSchema = meResponseSchema.extend({ token: z.string() });
export type EnrolResponse = z.infer<typeof enrolResponseSchema>;

/**
 * Professional identifiers a practice may record for an account (`pmsg relay enrol --gmc --nmc
 * --sds-user-id`), so a record entry names the clinician as the NHS does. Formats: GMC reference
 * number, 7 digits; NMC PIN, 2 digits, a letter, 4 digits, a letter (12A3456E); SDS user id (the
 * NHS smartcard user id), 12 digits.
 */
export const gmcNumberSchema = z.string().regex(/^[0-9]{7}$/, 'a GMC number is 7 digits');
export const nmcPinSchema = z
  .string()
  .regex(/^[0-9]{2}[A-Z][0-9]{4}[A-Z]$/, 'an NMC PIN is 2 digits, a letter, 4 digits, a letter');
export const sdsUserIdSchema = z.string().regex(/^[0-9]{12}$/, 'an SDS user id is 12 digits');
export const professionalIdsSchema = z.object({
  gmcNumber: gmcNumberSchema.optional(),
  nmcPin: nmcPinSchema.optional(),
  sdsUserId: sdsUserIdSchema.optional(),
});
export type ProfessionalIds = z.infer<typeof professionalIdsSchema>;

// GET /v1/directory and GET /v1/accounts/{accountId}
export const directoryDeviceSchema = z.object({
  deviceId: deviceIdSchema,
  registrationId: registrationIdSchema,
  /** The name given at enrolment ("Room 4 PC"), for the "added a device" notice; null when none. */
  name: z.string().max(100).nullable().optional(),
});
export const directoryEntrySchema = z.object({
  accountId: accountIdSchema,
  displayName: z.string(),
  role: roleSchema,
  org: z.string(),
  devices: z.array(directoryDeviceSchema),
  /** Only those the practice recorded; absent otherwise. */
  gmcNumber: gmcNumberSchema.optional(),
  nmcPin: nmcPinSchema.optional(),
  sdsUserId: sdsUserIdSchema.optional(),
});
export type DirectoryEntry = z.infer<typeof directoryEntrySchema>;
export const directoryResponseSchema = z.object({ accounts: z.array(directoryEntrySchema) });
export type DirectoryResponse = z.infer<typeof directoryResponseSchema>;

// GET /v1/keys/{accountId} and GET /v1/keys/{accountId}/{deviceId}
export const preKeyBundleSchema = z.object({
  deviceId: deviceIdSchema,
  registrationId: registrationIdSchema,
  identityKey: ecPublicKey,
  signedPreKey: signedPreKeySchema,
  /** Absent when the device has run out of one-time EC prekeys (X3DH/PQXDH allow that). */
  preKey: preKeySchema.nullable(),
  /** A one-time Kyber prekey, else the device's last-resort Kyber prekey. */
  kyberPreKey: kyberPreKeySchema,
  kyberPreKeyIsLastResort: z.boolean(),
});
export type PreKeyBundle = z.infer<typeof preKeyBundleSchema>;
export const preKeyBundleResponseSchema = z.object({
  accountId: accountIdSchema,
  devices: z.array(preKeyBundleSchema),
});
export type PreKeyBundleResponse = z.infer<typeof preKeyBundleResponseSchema>;

// GET /v1/keys/count
export const preKeyCountResponseSchema = z.object({
  preKeys: z.number().int(),
  kyberPreKeys: z.number().int(),
});
export type PreKeyCountResponse = z.infer<typeof preKeyCountResponseSchema>;

// PUT /v1/keys
export const keysUploadRequestSchema = z
  .object({
    preKeys: preKeyBatch.optional(),
    kyberPreKeys: kyberPreKeyBatch.optional(),
    signedPreKey: signedPreKeySchema.optional(),
    kyberLastResortPreKey: kyberPreKeySchema.optional(),
  })
  .refine(
    (body) =>
      body.preKeys !== undefined ||
      body.kyberPreKeys !== undefined ||
      body.signedPreKey !== undefined ||
      body.kyberLastResortPreKey !== undefined,
    { message: 'send at least one of preKeys, kyberPreKeys, signedPreKey, kyberLastResortPreKey' },
  );
export type KeysUploadRequest = z.infer<typeof keysUploadRequestSchema>;

// PUT /v1/messages/{accountId}
export const outgoingEnvelopeSchema = z.object({
  deviceId: deviceIdSchema,
  registrationId: registrationIdSchema,
  type: z.literal(envelopeTypes),
  content: base64Bytes(1, protocolLimits.maxEnvelopeBytes),
});
export type OutgoingEnvelope = z.infer<typeof outgoingEnvelopeSchema>;
export const sendMessageRequestSchema = z.object({
  clientMessageId: clientMessageIdSchema,
  /** The sender's clock, milliseconds since the epoch; passed through untouched. */
  clientTimestamp: z.number().int().min(0).optional(),
  messages: z
    .array(outgoingEnvelopeSchema)
    .min(1)
    .max(protocolLimits.maxDeviceId)
    .refine((list) => new Set(list.map((m) => m.deviceId)).size === list.length, {
      message: 'each deviceId at most once',
    }),
});
export type SendMessageRequest = z.infer<typeof sendMessageRequestSchema>;
export const sendMessageResponseSchema = z.object({
  /** Device ids that got a new envelope in their queue. */
  queued: z.array(deviceIdSchema),
  /** Device ids that already had this clientMessageId from this sender device (a retry). */
  duplicates: z.array(deviceIdSchema),
});
export type SendMessageResponse = z.infer<typeof sendMessageResponseSchema>;

// GET /v1/health
export const healthResponseSchema = z.object({
  status: z.literal('ok'),
  protocol: z.literal(1),
});
