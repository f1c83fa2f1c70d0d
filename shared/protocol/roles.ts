import { z } from 'zod';
import { base64Bytes } from './encoding.js';
import { accountIdSchema, clientMessageIdSchema, outgoingEnvelopeSchema } from './schemas.js';
import { protocolLimits } from './limits.js';

/**
 * Duty roles (docs/protocol.md §14): a role ("Duty doctor") belongs to an organisation, is held
 * by whoever is on duty now, and may escalate to another role when a message to it is not
 * acknowledged in time. The relay routes on who holds a role (metadata it may know); it never
 * sees what is sent to a role. An escalation copy is sealed by the sender at send time and held
 * by the relay until an acknowledgement token arrives or the deadline passes.
 */

export const roleLimits = {
  maxRoleNameLength: 64,
  /** Shortest and longest escalate-after (1 s is for tests on a short clock; 24 h at most). */
  minEscalateAfterMs: 1_000,
  maxEscalateAfterMs: 24 * 3600_000,
  /** Roles of one organisation. */
  maxRolesPerOrg: 200,
  /** Recipient accounts of one held escalation copy. */
  maxEscalationAccounts: 50,
  /** Alerts asked about in one status request. */
  maxStatusAlerts: 100,
} as const;

/** Roles whose accounts may create and delete roles through the relay (the CLI may always). */
export const roleManagerRoles = ['manager', 'admin'] as const;

export const roleIdSchema = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'a lowercase UUID');

export const roleNameSchema = z
  .string()
  .trim()
  .min(1, 'a role name is 1-64 characters')
  .max(roleLimits.maxRoleNameLength, 'a role name is 1-64 characters')
  // eslint-disable-next-line no-control-regex
  .regex(/^[^\u0000-\u001f\u007f]+$/, 'a role name has no control characters');

export const escalateAfterMsSchema = z
  .number()
  .int()
  .min(roleLimits.minEscalateAfterMs)
  .max(roleLimits.maxEscalateAfterMs);

/** Chosen by the sender; names one message to a role and its escalation on the relay. */
export const alertIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{16,64}$/, 'an alert id is 16-64 URL-safe characters');

/** 32 random bytes: the acknowledgement token travels only inside the encrypted message. */
export const ackTokenSchema = base64Bytes(32, 32);

export const roleHolderSchema = z.object({
  accountId: accountIdSchema,
  since: z.number().int().nonnegative(),
});

export const roleRefSchema = z.object({ roleId: roleIdSchema, name: z.string() });

export const roleEntrySchema = z.object({
  roleId: roleIdSchema,
  name: z.string(),
  escalateAfterMs: z.number().int().nullable(),
  escalateTo: roleRefSchema.nullable(),
  holders: z.array(roleHolderSchema),
});
export type RoleEntry = z.infer<typeof roleEntrySchema>;

// GET /v1/roles
export const rolesResponseSchema = z.object({ roles: z.array(roleEntrySchema) });

// PUT /v1/roles
export const createRoleRequestSchema = z
  .object({
    name: roleNameSchema,
    escalateAfterMs: escalateAfterMsSchema.nullable().optional(),
    escalateToRoleId: roleIdSchema.nullable().optional(),
  })
  .refine((r) => (r.escalateAfterMs == null) === (r.escalateToRoleId == null), {
    message: 'escalateAfterMs and escalateToRoleId go together',
  });

// POST /v1/roles/{roleId}/delete
export const deleteRoleResponseSchema = z.object({ deleted: z.literal(true) });

// POST /v1/roles/{roleId}/duty
export const dutyRequestSchema = z.object({ onDuty: z.boolean() });

/** A copy of the message for one escalation account, encrypted to each of its devices. */
export const heldCopySchema = z.object({
  accountId: accountIdSchema,
  clientMessageId: clientMessageIdSchema,
  messages: z
    .array(outgoingEnvelopeSchema)
    .min(1)
    .max(protocolLimits.maxDeviceId)
    .refine((list) => new Set(list.map((m) => m.deviceId)).size === list.length, {
      message: 'each deviceId at most once',
    }),
});
export type HeldCopy = z.infer<typeof heldCopySchema>;

// POST /v1/alerts
export const createAlertRequestSchema = z.object({
  alertId: alertIdSchema,
  roleId: roleIdSchema,
  /** SHA-256 of the acknowledgement token. */
  tokenHash: base64Bytes(32, 32),
  /** Sealed copies for the escalation target's holders; released only if nobody acknowledges. */
  copies: z
    .array(heldCopySchema)
    .max(roleLimits.maxEscalationAccounts)
    .refine((list) => new Set(list.map((c) => c.accountId)).size === list.length, {
      message: 'each accountId at most once',
    }),
  /** The accounts the message itself went to (the role's holders): they need no copy. */
  recipients: z.array(accountIdSchema).max(roleLimits.maxEscalationAccounts).optional(),
});

export const alertStateSchema = z.object({
  alertId: alertIdSchema,
  roleId: roleIdSchema,
  state: z.enum(['waiting', 'acknowledged', 'escalated']),
  createdAt: z.number().int(),
  /** When the held copies go out unless acknowledged; null when the role does not escalate. */
  escalateAt: z.number().int().nullable(),
  escalateTo: roleRefSchema.nullable(),
  acknowledgedBy: accountIdSchema.nullable(),
  acknowledgedAt: z.number().int().nullable(),
  escalatedAt: z.number().int().nullable(),
});
export type AlertState = z.infer<typeof alertStateSchema>;

// POST /v1/alerts/ack
export const ackAlertRequestSchema = z.object({ alertId: alertIdSchema, token: ackTokenSchema });

// POST /v1/alerts/status
export const alertStatusRequestSchema = z.object({
  alertIds: z.array(alertIdSchema).min(1).max(roleLimits.maxStatusAlerts),
});
export const alertStatusResponseSchema = z.object({ alerts: z.array(alertStateSchema) });

/** An alert named by a device that has the message, proved by its token. */
const alertWithTokenSchema = z.object({ alertId: alertIdSchema, token: ackTokenSchema });

// POST /v1/alerts/check
export const alertCheckRequestSchema = z.object({
  alerts: z.array(alertWithTokenSchema).min(1).max(roleLimits.maxStatusAlerts),
});
export const alertCheckResponseSchema = z.object({
  alerts: z.array(
    alertStateSchema.extend({
      /**
       * Escalated and not acknowledged: accounts on duty in the escalation role now that have no
       * copy yet (neither the caller nor the sender); re-seal to them with /v1/alerts/reseal.
       */
      uncovered: z.array(accountIdSchema),
    }),
  ),
});
export type AlertCheck = z.infer<typeof alertCheckResponseSchema>['alerts'][number];

// POST /v1/alerts/reseal
export const alertResealRequestSchema = alertWithTokenSchema.extend({
  copies: z
    .array(heldCopySchema)
    .min(1)
    .max(roleLimits.maxEscalationAccounts)
    .refine((list) => new Set(list.map((c) => c.accountId)).size === list.length, {
      message: 'each accountId at most once',
    }),
});
export const alertResealResponseSchema = z.object({
  state: alertStateSchema,
  /** Accounts whose copy joined their devices' queues now. */
  delivered: z.array(accountIdSchema),
  /** Accounts that needed no copy (already covered by another device, or not uncovered). */
  skipped: z.array(accountIdSchema),
  /** Accounts with a device whose queue is full: try again later. */
  queueFull: z.array(accountIdSchema),
});

/** "10m", "90s", "1h", "1h30m" → milliseconds; null when not of that form. */
export function parseDuration(text: string): number | null {
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text.trim());
  if (!match || text.trim() === '') return null;
  const [, h, m, s] = match;
  return ((Number(h ?? 0) * 60 + Number(m ?? 0)) * 60 + Number(s ?? 0)) * 1000;
}
