/**
 * What the renderer is allowed to see: display data only. No schema here has room for key
 * material, tokens or ciphertext, and main parses every response through these schemas, which
 * strips any field a handler adds by mistake.
 */
import { z } from 'zod';
import { messageRoleSchema } from './role-schemas.js';
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
  allowAttachments: z.boolean(),
  maxAttachmentMB: z.number().int(),
  attachmentTypes: z.array(z.string()),
  /** Ask "Does this show patient details?" before an image is sent. */
  askImagePatientDetails: z.boolean(),
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
  /** The disappearing-message timer in seconds; absent or null when off. */
  disappearingSeconds: z.number().int().positive().nullable().optional(),
  /**
   * A direct conversation: how many PCs of the other person this device knows of (each its own
   * key; 0 before the first message). The header says "on 2 PCs" when there are several.
   */
  peerDevices: z.number().int().nonnegative().optional(),
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

/** The types a file may have, decided from its bytes (main/core/messaging/attachments/file-type.ts). */
export const attachmentTypes = [
  'image/jpeg',
  'image/png',
  'image/heic',
  'application/pdf',
  'text/plain',
] as const;
export const attachmentTypeSchema = z.enum(attachmentTypes);
export type AttachmentType = z.infer<typeof attachmentTypeSchema>;

/**
 * A message's file as the renderer may see it: what the encrypted message said of it (name,
 * type, size) and how its transfer stands. Never its key, digest or bytes: those are asked for
 * one at a time (attachments.content), decrypted in main.
 */
export const attachmentViewSchema = z.object({
  name: z.string(),
  type: attachmentTypeSchema,
  size: z.number().int().nonnegative(),
  state: z.enum(['uploading', 'uploaded', 'downloading', 'ready', 'failed']),
  /** With state `failed`: why, worded for the user, saying what to do (then Retry). */
  failure: z.string().nullable(),
  /** Chunks moved so far while uploading or downloading. */
  progress: z
    .object({ done: z.number().int().nonnegative(), total: z.number().int().positive() })
    .nullable(),
});
export type AttachmentView = z.infer<typeof attachmentViewSchema>;
/** "Read by 3 of 5": counts over the group members a message was sent to. */
export const readBySchema = z.object({
  recipients: z.number().int().nonnegative(),
  delivered: z.number().int().nonnegative(),
  read: z.number().int().nonnegative(),
});
export type ReadBy = z.infer<typeof readBySchema>;

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
  /** The file this message carries (its text is then the caption, possibly empty). */
  attachment: attachmentViewSchema.nullable().optional(),
  /** Our own message in a group: how many of its members have received and read it. */
  readBy: readBySchema.optional(),
  /** Sent to, or received through, a duty role (issue 15): the role and its acknowledgement. */
  role: messageRoleSchema.nullable().optional(),
});
export type MessageView = z.infer<typeof messageViewSchema>;

export const lockReasonSchema = z.enum(['user', 'idle', 'os-lock', 'suspend', 'profile-switch']);
export type LockReason = z.infer<typeof lockReasonSchema>;
