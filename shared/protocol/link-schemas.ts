import { z } from 'zod';
import { base64Bytes, ecPublicKey } from './encoding.js';
import { enrolRequestSchema, enrolResponseSchema } from './schemas.js';

// Linking a new PC by the person (docs/protocol.md §2b). The link code never reaches the relay:
// clients derive two values from it, a lookup the relay indexes (it stores only the lookup's
// SHA-256) and a proof key the relay never sees, with which the new PC authenticates its identity
// key to the device that approves it.

/** How long a link code can be redeemed (and a request waits for approval). */
export const linkCodeLifetimeMs = 10 * 60_000;

/** SHA-256 of the link code (docs/protocol.md §2b), base64: 32 bytes. */
export const linkLookupSchema = base64Bytes(32, 32);

// POST /v1/links
export const createLinkRequestSchema = z.object({
  lookup: linkLookupSchema,
  /** False only when the person's policy lets the code alone add a device. */
  approvalRequired: z.boolean(),
});

export const linkStateSchema = z.enum([
  'open',
  'requested',
  'approved',
  'refused',
  'used',
  'expired',
]);
export type LinkStateName = z.infer<typeof linkStateSchema>;

/** The PC asking to join: its name and identity key, and its proof of knowing the code. */
export const linkRequestViewSchema = z.object({
  deviceName: z.string(),
  identityKey: ecPublicKey,
  proof: base64Bytes(32, 32),
  requestedAt: z.number().int(),
});
export type LinkRequestView = z.infer<typeof linkRequestViewSchema>;

/** The calling device's current link (POST /v1/links, GET /v1/links, POST /v1/links/decide). */
export const linkViewSchema = z.object({
  state: linkStateSchema,
  approvalRequired: z.boolean(),
  createdAt: z.number().int(),
  expiresAt: z.number().int(),
  request: linkRequestViewSchema.nullable(),
  /** The new device's id once it was added. */
  deviceId: z.number().int().nullable(),
});
export type LinkView = z.infer<typeof linkViewSchema>;

// GET /v1/links
export const currentLinkResponseSchema = z.object({ link: linkViewSchema.nullable() });

// POST /v1/links/decide
export const decideLinkRequestSchema = z.object({
  /** The identity key of the request the device checked; another request is not decided. */
  identityKey: ecPublicKey,
  approve: z.boolean(),
});

// POST /v1/links/redeem (no authentication): an enrolment with a link code's lookup and proof.
export const redeemLinkRequestSchema = enrolRequestSchema.omit({ code: true }).extend({
  lookup: linkLookupSchema,
  /** HMAC-SHA-256 under the code's proof key of the identity key and the device name. */
  proof: base64Bytes(32, 32),
  deviceName: z.string().min(1).max(64),
  token: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'token must be 32 random bytes in base64url'),
});
export type RedeemLinkRequest = z.infer<typeof redeemLinkRequestSchema>;

/** `201` with the enrolment answer once added, or `202` while the request waits for approval. */
export const redeemLinkResponseSchema = z.union([
  enrolResponseSchema,
  z.object({ waiting: z.literal(true), expiresAt: z.number().int() }),
]);
