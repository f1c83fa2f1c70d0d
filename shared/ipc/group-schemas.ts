/**
 * Groups as the renderer sees them: the current state's name and members with their roles and
 * who are admins, and for a message sent to a group who has received and read it.
 */
import { z } from 'zod';
import {
  accountIdSchema,
  contactSchema,
  conversationIdSchema,
  readBySchema,
  timestampSchema,
} from './view-schemas.js';

export const groupMemberViewSchema = contactSchema.extend({ admin: z.boolean() });
export type GroupMemberView = z.infer<typeof groupMemberViewSchema>;

export const groupViewSchema = z.object({
  conversationId: conversationIdSchema,
  name: z.string(),
  memberCount: z.number().int().nonnegative(),
  members: z.array(groupMemberViewSchema),
  /** False once this person was removed or left: the group is read-only then. */
  isMember: z.boolean(),
  /** Admins add and remove members. */
  isAdmin: z.boolean(),
});
export type GroupView = z.infer<typeof groupViewSchema>;

export const groupNameSchema = z.string().trim().min(1).max(80);

/** Who of the members a message was sent to has received and read it ("read by" on demand). */
export const groupReceiptsSchema = readBySchema.extend({
  people: z.array(
    z.object({
      accountId: accountIdSchema,
      displayName: z.string(),
      deliveredAt: timestampSchema.nullable(),
      readAt: timestampSchema.nullable(),
    }),
  ),
});
export type GroupReceipts = z.infer<typeof groupReceiptsSchema>;

export const groupRequestSchema = z.strictObject({ conversationId: conversationIdSchema });
export const groupRenameRequestSchema = z.strictObject({
  conversationId: conversationIdSchema,
  name: groupNameSchema,
});
export const groupMemberRequestSchema = z.strictObject({
  conversationId: conversationIdSchema,
  accountId: accountIdSchema,
});
