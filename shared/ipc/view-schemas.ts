/**
 * What the renderer is allowed to see: display data only. No schema here has room for key
 * material, tokens or ciphertext, and main parses every response through these schemas, which
 * strips any field a handler adds by mistake.
 */
import { z } from 'zod';
import { notificationPrivacyLevels } from '../notification-privacy.js';
import { roles } from '../protocol/limits.js';

export const profileIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'a profile id is 1-64 URL-safe characters');
export const accountIdSchema = z.string().min(1).max(64);
export const conversationIdSchema = z.string().min(1).max(64);
export const messageIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{8,64}$/, 'a message id is 8-64 URL-safe characters');
/** Milliseconds since the Unix epoch. */
export const timestampSchema = z.number().int().nonnegative();
/** Passcodes are checked for length by the profile core (typed `passcode_too_short`), not here. */
export const passcodeSchema = z.string().min(1).max(1024);
export const displayNameSchema = z.string().trim().min(1).max(100);
export const roleSchema = z.enum(roles);
export { maxMessageTextLength } from './message-limits.js';

export const notificationPrivacySchema = z.enum(notificationPrivacyLevels);

export const profileSummarySchema = z.object({
  id: profileIdSchema,
  displayName: z.string(),
  createdAt: timestampSchema,
  /** Wrong passcodes since the last successful unlock (the unlock screen warns before a wipe). */
  failedAttempts: z.number().int().nonnegative(),
  /** While a wrong-passcode delay runs, when the next attempt is accepted. */
  nextAttemptAt: timestampSchema.nullable(),
});
export type ProfileSummary = z.infer<typeof profileSummarySchema>;

export const settingsSchema = z.object({
  notificationPrivacy: notificationPrivacySchema,
  lockTimeoutMinutes: z.number().int().min(1).max(60),
});
export type Settings = z.infer<typeof settingsSchema>;

/** The managed policy as the renderer may see it: no secrets live in the policy anyway. */
export const policyViewSchema = z.object({
  serverUrl: z.string().nullable(),
  lockTimeoutMinutes: z.number().int(),
  notificationPrivacy: notificationPrivacySchema,
  pidGuard: z.enum(['warn', 'block']),
  retentionDays: z.number().int().nullable(),
  maxPasscodeAttempts: z.number().int().nullable(),
  contentProtection: z.boolean(),
  allowExport: z.boolean(),
  hospitalNumberPatterns: z.array(z.string()),
  /** Where it came from, for the About screen and IT support calls. */
  source: z.enum(['defaults', 'system', 'command-line']),
});
export type PolicyView = z.infer<typeof policyViewSchema>;

/**
 * A person's role as shown beside their name: `unknown` while they are not (yet) in this
 * device's copy of the directory, so nobody is shown with a role they may not have.
 */
export const contactRoleSchema = z.enum([...roles, 'unknown']);

export const contactSchema = z.object({
  accountId: accountIdSchema,
  displayName: z.string(),
  role: contactRoleSchema,
});
export type Contact = z.infer<typeof contactSchema>;

/** Someone in the practice directory (or the user): their role is always known. */
export const directoryContactSchema = contactSchema.extend({ role: roleSchema });
export type DirectoryContact = z.infer<typeof directoryContactSchema>;

export const messageStatusSchema = z.enum(['pending', 'sent', 'delivered', 'read', 'failed']);
export type MessageStatus = z.infer<typeof messageStatusSchema>;

/**
 * Why messages left this device: copied into a patient record and deleted, removed by their
 * sender, or deleted by the retention policy or a disappearing timer.
 */
export const deletionReasonSchema = z.enum(['transcribed', 'expired', 'sender']);
export type DeletionReason = z.infer<typeof deletionReasonSchema>;

export const conversationSummarySchema = z.object({
  id: conversationIdSchema,
  kind: z.enum(['direct', 'group']),
  title: z.string(),
  participants: z.array(contactSchema),
  unreadCount: z.number().int().nonnegative(),
  lastActivityAt: timestampSchema.nullable(),
  /** A short plain-text excerpt of the last message, for the list and search results. */
  lastMessageExcerpt: z.string().nullable(),
  hasUrgentUnread: z.boolean(),
  /** A participant's safety number changed and the user has not acknowledged it yet. */
  identityChanged: z.boolean(),
  /**
   * Messages of this conversation deleted on this device, and why, so that an emptied
   * conversation says where they went after a lock too. Absent when none were.
   */
  deletedMessages: z
    .object({ count: z.number().int().positive(), reasons: z.array(deletionReasonSchema) })
    .optional(),
  /**
   * With a search query: the newest message of this conversation that matches, as an excerpt in
   * parts, the matched words flagged (shown as <mark>; plain text, never HTML). Absent otherwise.
   */
  searchMatch: z
    .object({
      messageId: messageIdSchema,
      excerpt: z.array(z.object({ text: z.string(), match: z.boolean() })),
    })
    .optional(),
});
export type ConversationSummary = z.infer<typeof conversationSummarySchema>;

export const messageViewSchema = z.object({
  id: messageIdSchema,
  conversationId: conversationIdSchema,
  direction: z.enum(['incoming', 'outgoing']),
  sender: contactSchema,
  text: z.string(),
  sentAt: timestampSchema,
  receivedAt: timestampSchema.nullable(),
  status: messageStatusSchema,
  /** With status `failed`: why, worded for the sender, saying what to do (then Retry). */
  failureReason: z.string().nullable().optional(),
  urgent: z.boolean(),
  replyTo: z
    .object({ messageId: messageIdSchema, senderName: z.string(), excerpt: z.string() })
    .nullable(),
  /** Copied into the patient record: by whom, when, and when this message is deleted everywhere. */
  transcribed: z
    .object({
      byName: z.string(),
      at: timestampSchema,
      deletesAt: timestampSchema.nullable(),
    })
    .nullable()
    .optional(),
  /**
   * Written by this device, not sent by `sender` (e.g. "A message from … could not be
   * decrypted"): show it as a notice in the conversation, not as the sender's words.
   */
  notice: z.boolean().optional(),
});
export type MessageView = z.infer<typeof messageViewSchema>;

export const lockReasonSchema = z.enum(['user', 'idle', 'os-lock', 'suspend', 'profile-switch']);
export type LockReason = z.infer<typeof lockReasonSchema>;
