import { z } from 'zod';

/**
 * Error codes of the relay wire protocol, each with its one HTTP status. Every non-2xx response
 * has the body `{"error":{"code","message","details"?}}`. Clients branch on `code`, never on
 * `message` (which is for people and may change).
 */
export const relayErrorStatus = {
  bad_json: 400,
  invalid_input: 400,
  too_many_prekeys: 400,
  unauthorized: 401,
  device_revoked: 401,
  remote_wipe: 403,
  enrolment_code_invalid: 403,
  forbidden: 403,
  /** No open link code with that lookup (§2b); spends the address's guessing bucket. */
  link_code_invalid: 403,
  /** The person refused this PC on their other device. */
  link_refused: 403,
  not_found: 404,
  method_not_allowed: 405,
  mismatched_devices: 409,
  device_limit: 409,
  /** The person already has as many devices as the relay allows one person (§2b). */
  device_cap: 409,
  /** An attachment blob is finished or fetched before all its chunks arrived. */
  attachment_incomplete: 409,
  /** A duty role of that name already exists in the organisation. */
  role_exists: 409,
  /** Another device made that patient-reference key version first: fetch it and use it. */
  patient_key_conflict: 409,
  enrolment_code_used: 410,
  enrolment_code_expired: 410,
  link_code_used: 410,
  link_code_expired: 410,
  stale_devices: 410,
  payload_too_large: 413,
  unsupported_media_type: 415,
  upgrade_required: 426,
  rate_limited: 429,
  internal: 500,
  /** This relay's store does not offer the feature yet (the practice audit on PostgreSQL). */
  not_implemented: 501,
  shutting_down: 503,
  /** The relay's disk is busy (locked by another process), full or failing; retry later. */
  storage_unavailable: 503,
  queue_full: 507,
  /** The organisation's quota (devices, queued envelopes or bytes, attachments) is used up. */
  org_quota_exceeded: 507,
} as const;

export type RelayErrorCode = keyof typeof relayErrorStatus;

export const relayErrorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});

/** `details` of a 409 `mismatched_devices`. */
export const mismatchedDevicesSchema = z.object({
  missingDevices: z.array(z.number().int()),
  extraDevices: z.array(z.number().int()),
});
export type MismatchedDevices = z.infer<typeof mismatchedDevicesSchema>;

/** `details` of a 410 `stale_devices`: the registration id changed, so the session is stale. */
export const staleDevicesSchema = z.object({ staleDevices: z.array(z.number().int()) });
export type StaleDevices = z.infer<typeof staleDevicesSchema>;
