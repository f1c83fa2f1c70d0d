import { z } from 'zod';

// The same shapes as view-schemas.ts, which imports this file (so it cannot import that one).
const accountIdSchema = z.string().min(1).max(64);
const conversationIdSchema = z.string().min(1).max(64);
const messageIdSchema = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'a message id');
const timestampSchema = z.number().int().nonnegative();

/**
 * Duty roles over IPC (issue 15): the roles with who holds them, where a message to one would go
 * (shown before sending), what was sent, and a message's role and acknowledgement state.
 */
export const roleIdIpcSchema = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'a role id');

export const roleHolderViewSchema = z.object({
  accountId: accountIdSchema,
  displayName: z.string(),
  since: timestampSchema,
});

export const roleViewSchema = z.object({
  roleId: roleIdIpcSchema,
  name: z.string(),
  escalateAfterMs: z.number().int().nullable(),
  escalateTo: z.object({ roleId: roleIdIpcSchema, name: z.string() }).nullable(),
  holders: z.array(roleHolderViewSchema),
  /** This user is on duty in it. */
  onDuty: z.boolean(),
});
export type RoleView = z.infer<typeof roleViewSchema>;

export const roleSendPlanSchema = z.object({
  role: roleViewSchema,
  holders: z.array(roleHolderViewSchema),
  /** Nobody holds the role: it would go to this escalation target instead. */
  redirectedTo: roleViewSchema.nullable(),
});

export const roleSendResultSchema = z.object({
  role: z.object({ roleId: roleIdIpcSchema, name: z.string() }),
  redirectedFrom: z.string().nullable(),
  alertId: z.string().nullable(),
  holders: z.array(
    roleHolderViewSchema.extend({
      messageId: messageIdSchema,
      conversationId: conversationIdSchema,
    }),
  ),
  escalation: z
    .object({ to: z.string(), at: timestampSchema.nullable(), holders: z.array(z.string()) })
    .nullable(),
});

/** What a message shows of its duty role. */
export const messageRoleSchema = z.object({
  /** The role it was addressed to (or reached by escalation). */
  name: z.string(),
  /** Set on a copy that came through another role ("escalated from Duty doctor"). */
  escalatedFrom: z.string().nullable(),
  /** Outgoing: "To Duty doctor → Dr A Patel"; history: "Earlier, to Duty doctor → Dr A Patel". */
  recipients: z.string().nullable(),
  /** Received as the role's history when this holder came on duty: never notified. */
  history: z.boolean().optional(),
  ack: z
    .object({
      state: z.enum(['waiting', 'acknowledged', 'escalated']),
      /** "Acknowledged by Dr A Patel at 14:02", "Escalated to All clinicians at 14:12". */
      line: z.string(),
      /** Incoming and not yet acknowledged here: show the Acknowledge button. */
      canAcknowledge: z.boolean(),
    })
    .nullable(),
});
export type MessageRole = z.infer<typeof messageRoleSchema>;

export const roleCreateRequestSchema = z.strictObject({
  name: z.string().trim().min(1).max(64),
  escalateAfterMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .nullable()
    .default(null),
  escalateToRoleId: roleIdIpcSchema.nullable().default(null),
});
