import { z } from 'zod';
import { base64Bytes, ecPublicKey } from './encoding.js';
import { accountIdSchema, deviceIdSchema } from './schemas.js';

/**
 * The practice audit trail (docs/protocol.md §13): devices append records sealed to the practice's
 * audit readers, the relay adds its own plaintext metadata records (enrol, revoke, wipe), and
 * every record is chained to the one before it, so a deleted, altered or reordered record shows.
 */

/** Roles whose devices may read the practice trail and to whom devices seal their events. */
export const auditReaderRoles = ['manager', 'admin'] as const;

export const auditLimits = {
  /** Largest decoded sealed record. */
  maxSealedBytes: 16_384,
  /** Records in one append request. */
  maxRecordsPerAppend: 100,
  /** Records in one read page. */
  maxRecordsPerRead: 500,
} as const;

/** The hash of the (empty) chain before the first record: 32 zero bytes, hex. */
export const auditChainGenesis = '0'.repeat(64);

/**
 * Kinds of relay record: facts the relay already knows, never content. `account.role_changed` is
 * about an account, not one device: its deviceId is the account's first device (1 when none).
 */
export const relayAuditKinds = [
  'device.enrolled',
  'device.revoked',
  'device.wiped',
  'account.role_changed',
  'device.passcode_wiped',
] as const;
export type RelayAuditKind = (typeof relayAuditKinds)[number];

/**
 * What a record's hash covers besides the previous hash and the payload's digest, as one
 * canonical string: hash = SHA-256(prevHash ‖ SHA-256(payload) ‖ this), all hex/UTF-8.
 */
export function auditChainMetadata(record: {
  seq: number;
  source: 'device' | 'relay';
  accountId: string;
  deviceId: number;
  createdAt: number;
}): string {
  return `${record.seq}|${record.source}|${record.accountId}|${record.deviceId}|${record.createdAt}`;
}

/**
 * Why a record breaks the chain: its seq is not above the one before (`out_of_order`), its
 * prevHash is not the previous record's hash (`missing_predecessor`: one before it was removed or
 * altered), its hash is not that of its own contents (`altered`), or it is a relay record without
 * the relay's valid signature over its hash (`bad_signature`).
 */
export const auditBreakReasons = [
  'out_of_order',
  'missing_predecessor',
  'altered',
  'bad_signature',
] as const;
export type AuditBreak = (typeof auditBreakReasons)[number];

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);

// GET /v1/audit/readers
export const auditReadersResponseSchema = z.object({
  readers: z.array(
    z.object({
      accountId: accountIdSchema,
      deviceId: deviceIdSchema,
      identityKey: ecPublicKey,
    }),
  ),
});
export type AuditReadersResponse = z.infer<typeof auditReadersResponseSchema>;

// POST /v1/audit
export const auditAppendRequestSchema = z.object({
  records: z
    .array(
      z.object({
        /** The device's own id of the event, so a retried append is not stored twice. */
        clientRecordId: z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/),
        sealed: base64Bytes(1, auditLimits.maxSealedBytes),
      }),
    )
    .min(1)
    .max(auditLimits.maxRecordsPerAppend),
});
export const auditAppendResponseSchema = z.object({
  appended: z.array(z.number().int().positive()),
  duplicates: z.array(z.string()),
});

export const auditRecordSchema = z.object({
  seq: z.number().int().positive(),
  source: z.enum(['device', 'relay']),
  accountId: accountIdSchema,
  deviceId: deviceIdSchema,
  createdAt: z.number().int(),
  /** Base64: a device's sealed bytes, or the relay record's UTF-8 JSON. */
  payload: z.string(),
  prevHash: hex64,
  hash: hex64,
  /** Relay records: the relay's Ed25519 signature over `hash`, base64. */
  signature: z.string().nullable(),
});
export type AuditRecordWire = z.infer<typeof auditRecordSchema>;

// POST /v1/audit/read
export const auditReadRequestSchema = z
  .object({
    afterSeq: z.number().int().min(0).default(0),
    /**
     * Newest-first paging: the page is the `limit` newest records below this seq (still oldest
     * first within the page). Number.MAX_SAFE_INTEGER reads the newest page.
     */
    beforeSeq: z
      .number()
      .int('beforeSeq must be a whole number (a seq from an earlier page).')
      .min(1, 'beforeSeq must be at least 1.')
      .max(Number.MAX_SAFE_INTEGER, 'beforeSeq must be at most 9007199254740991.')
      .optional(),
    limit: z
      .number()
      .int()
      .min(1)
      .max(auditLimits.maxRecordsPerRead)
      .default(auditLimits.maxRecordsPerRead),
  })
  .refine((body) => body.beforeSeq === undefined || body.beforeSeq > body.afterSeq, {
    path: ['beforeSeq'],
    message:
      'beforeSeq must be greater than afterSeq: the page is the records between them. Leave afterSeq out to page back to the oldest record.',
  });
export type AuditReadRequest = z.infer<typeof auditReadRequestSchema>;
export const auditReadResponseSchema = z.object({
  /** Where the retained chain starts: records up to this seq were removed by retention. */
  anchor: z.object({ seq: z.number().int().min(0), hash: hex64 }),
  /** The relay's Ed25519 public key (SPKI DER, base64) that signs relay records. */
  relayKey: z.string(),
  records: z.array(auditRecordSchema),
});
export type AuditReadResponse = z.infer<typeof auditReadResponseSchema>;

// GET /v1/audit/verify
export const auditVerifyResponseSchema = z.object({
  intact: z.boolean(),
  records: z.number().int().min(0),
  /** The first seq whose record is missing, altered or out of order; null when intact. */
  brokenAt: z.number().int().nullable(),
  headSeq: z.number().int().min(0),
  headHash: hex64,
  /** When broken, why the record at brokenAt does not fit. */
  reason: z.enum(auditBreakReasons).optional(),
});
export type AuditVerifyResponse = z.infer<typeof auditVerifyResponseSchema>;

/**
 * Roles whose devices hold the practice's patient-reference key (§13.1): the HMAC key that turns
 * an NHS number into the keyed reference audit entries carry. Reception is left out: their
 * devices key their own entries per device and never receive the practice key.
 */
export const patientKeyRoles = ['clinician', 'nurse', 'pharmacist', 'manager', 'admin'] as const;
/** Roles that may rotate the key (make a new version). */
export const patientKeyRotatorRoles = ['manager', 'admin'] as const;

export const patientKeyLimits = {
  /** One sealed copy of one key version for one device. */
  maxSealedBytes: 2_048,
  /** Sealed copies in one upload. */
  maxEnvelopesPerUpload: 500,
} as const;

const patientKeyVersion = z.number().int().min(1).max(1_000_000);

// GET /v1/audit/patient-keys
export const patientKeysResponseSchema = z.object({
  /** The organisation's newest key version; 0 when none was made yet. */
  latest: z.number().int().min(0),
  /** This device's sealed copies, one per version it was given. */
  envelopes: z.array(z.object({ version: patientKeyVersion, sealed: z.string() })),
});
export type PatientKeysResponse = z.infer<typeof patientKeysResponseSchema>;

// GET /v1/audit/patient-key-holders
export const patientKeyHoldersResponseSchema = z.object({
  devices: z.array(
    z.object({
      accountId: accountIdSchema,
      deviceId: deviceIdSchema,
      identityKey: ecPublicKey,
      /** The versions this device already has a sealed copy of. */
      versions: z.array(patientKeyVersion),
    }),
  ),
});
export type PatientKeyHoldersResponse = z.infer<typeof patientKeyHoldersResponseSchema>;

// POST /v1/audit/patient-keys
export const patientKeysUploadRequestSchema = z.object({
  version: patientKeyVersion,
  envelopes: z
    .array(
      z.object({
        accountId: accountIdSchema,
        deviceId: deviceIdSchema,
        sealed: base64Bytes(1, patientKeyLimits.maxSealedBytes),
      }),
    )
    .min(1)
    .max(patientKeyLimits.maxEnvelopesPerUpload),
});
export const patientKeysUploadResponseSchema = z.object({
  stored: z.number().int().min(0),
  latest: z.number().int().min(0),
});

// POST /v1/devices/wipe-report (no bearer token: the profile that held it is gone)
export const wipeReportRequestSchema = z.object({
  /**
   * SHA-256 of the wiped device's bearer token, base64: what the relay already stores to look the
   * device up, kept in the OS keychain outside the database (docs/security.md). It cannot be used
   * as the token itself.
   */
  tokenHash: base64Bytes(32, 32),
  /** Wrong passcodes in a row that ended in the wipe. */
  failures: z.number().int().min(1).max(10_000),
});
export const wipeReportResponseSchema = z.object({
  recorded: z.literal(true),
  /** The device is revoked: it has no profile any more to receive messages. */
  revoked: z.literal(true),
});
