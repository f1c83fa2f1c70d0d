/**
 * THE IPC contract: every method the renderer may call, with zod schemas for its request and
 * response, and every event main may push, with its payload schema. Main validates each request
 * against it before a handler runs and each response before it leaves; the preload and the
 * renderer's types are derived from it. Add a method here, in names.ts, and give it a handler.
 */
import { z } from 'zod';
import type { EventName, MethodName } from './names.js';
import {
  deleteForEveryoneRequestSchema,
  disappearingTimerRequestSchema,
  disappearingTimerResponseSchema,
} from './conversation-action-schemas.js';
import {
  attachmentOfMessageSchema,
  inlineImageSchema,
  sendAttachmentRequestSchema,
  stageIdSchema,
  stageRequestSchema,
  stagedAttachmentSchema,
} from './attachment-schemas.js';
import {
  auditEntryViewSchema,
  entryFormatSchema,
  practiceAuditRequestSchema,
  practiceAuditViewSchema,
  exportReferenceSchema,
  nhsNumberInputSchema,
  renderedEntrySchema,
  deletionScopeSchema,
  noRecordNeededRequestSchema,
  transcriptionConfirmRequestSchema,
  transcriptionConfirmedSchema,
  transcriptionUndoRequestSchema,
  untranscribedAdviceListSchema,
  transcriptionDraftSchema,
  transcriptionFormSchema,
  transcriptionSelectionSchema,
} from './clinical-schemas.js';
import {
  accountIdSchema,
  directoryContactSchema,
  conversationIdSchema,
  conversationSummarySchema,
  deletionReasonSchema,
  displayNameSchema,
  lockReasonSchema,
  maxMessageTextLength,
  messageIdSchema,
  messageStatusSchema,
  messageViewSchema,
  passcodeSchema,
  policyViewSchema,
  profileIdSchema,
  profileSummarySchema,
  settingsSchema,
  timestampSchema,
} from './view-schemas.js';
import {
  groupMemberRequestSchema,
  groupRenameRequestSchema,
  groupNameSchema,
  groupReceiptsSchema,
  groupRequestSchema,
  groupViewSchema,
} from './group-schemas.js';
import {
  roleCreateRequestSchema,
  roleIdIpcSchema,
  roleSendPlanSchema,
  roleSendResultSchema,
  roleViewSchema,
} from './role-schemas.js';

/**
 * `locked`: answered while no profile is unlocked (app info, policy, the profile picker and
 * unlock). `unlocked`: refused with `profile_locked` until a profile is unlocked — a locked app
 * must not leak conversation state.
 */
export type MethodAccess = 'locked' | 'unlocked';

export interface MethodSpec<Req extends z.ZodType = z.ZodType, Res extends z.ZodType = z.ZodType> {
  readonly request: Req;
  readonly response: Res;
  readonly access: MethodAccess;
}

function method<Req extends z.ZodType, Res extends z.ZodType>(
  request: Req,
  response: Res,
  access: MethodAccess,
): MethodSpec<Req, Res> {
  return { request, response, access };
}

// Requests are strict: an unknown key is malformed input, not something to ignore.
const noRequest = z.strictObject({});
const noResponse = z.object({});
const searchQuery = z.string().trim().max(200);

/** A link code's state as the PC that made it sees it (docs/protocol.md §2b). */
const linkStatusSchema = z.object({
  state: z.enum(['open', 'requested', 'approved', 'refused', 'used', 'expired']),
  expiresAt: timestampSchema,
  approvalRequired: z.boolean(),
  asking: z
    .object({ deviceName: z.string(), verified: z.boolean(), requestedAt: timestampSchema })
    .nullable(),
  deviceId: z.number().int().min(1).max(127).nullable(),
});

export const methods = {
  'app.info': method(
    noRequest,
    z.object({
      productName: z.string(),
      version: z.string(),
      licence: z.string(),
      platform: z.string(),
    }),
    'locked',
  ),
  'policy.get': method(noRequest, policyViewSchema, 'locked'),

  'profiles.list': method(
    noRequest,
    z.object({
      profiles: z.array(profileSummarySchema),
      unlockedProfileId: profileIdSchema.nullable(),
    }),
    'locked',
  ),
  'profiles.create': method(
    z.strictObject({ displayName: displayNameSchema, passcode: passcodeSchema }),
    z.object({ profile: profileSummarySchema }),
    'locked',
  ),
  'profiles.unlock': method(
    z.strictObject({ profileId: profileIdSchema, passcode: passcodeSchema }),
    z.object({ profile: profileSummarySchema }),
    'locked',
  ),
  'profiles.lock': method(noRequest, noResponse, 'locked'),
  // Needs the profile's own passcode, so one person cannot remove a colleague's profile on a shared PC.
  'profiles.delete': method(
    z.strictObject({ profileId: profileIdSchema, passcode: passcodeSchema }),
    noResponse,
    'locked',
  ),
  'profiles.changePasscode': method(
    z.strictObject({ currentPasscode: passcodeSchema, newPasscode: passcodeSchema }),
    noResponse,
    'unlocked',
  ),

  'settings.get': method(noRequest, settingsSchema, 'unlocked'),
  'settings.set': method(settingsSchema.partial().strict(), settingsSchema, 'unlocked'),

  'account.get': method(
    noRequest,
    z.object({
      /** False until the profile has enrolled with the relay: the renderer shows enrolment. */
      enrolled: z.boolean(),
      self: directoryContactSchema.nullable(),
      serverUrl: z.string().nullable(),
      /** The relay connection now, so the first render shows it (events only say changes). */
      connection: z.enum(['offline', 'connecting', 'online']).nullable(),
    }),
    'unlocked',
  ),
  'account.enrol': method(
    z.strictObject({
      /** One relay URL, or a hosted relay's several separated by commas. */
      serverUrl: z
        .string()
        .trim()
        .max(2048)
        .refine(
          (value) => {
            const parts = value.split(/[\s,]+/).filter((part) => part !== '');
            return (
              parts.length >= 1 &&
              parts.length <= 8 &&
              parts.every((part) => z.url({ protocol: /^https?$/ }).safeParse(part).success)
            );
          },
          { message: 'one to eight http(s) URLs separated by commas' },
        ),
      enrolmentCode: z.string().trim().min(1).max(128),
    }),
    z.object({ self: directoryContactSchema }),
    'unlocked',
  ),
  // Enrols with a link code from another of the person's PCs; resolves once that PC approved.
  'account.enrolWithLink': method(
    z.strictObject({
      serverUrl: z.url({ protocol: /^https?$/ }).max(2048),
      linkCode: z
        .string()
        .trim()
        .regex(/^[0-9A-Za-z -]{16,24}$/, 'a link code is 16 letters and digits'),
    }),
    z.object({ self: directoryContactSchema }),
    'unlocked',
  ),

  'conversations.list': method(
    z.strictObject({ query: searchQuery.optional() }),
    z.object({ conversations: z.array(conversationSummarySchema) }),
    'unlocked',
  ),
  /** One person: the direct conversation. Several (up to 99 others) or a title: a new group. */
  'conversations.create': method(
    z.strictObject({
      participantIds: z.array(accountIdSchema).min(1).max(99),
      title: groupNameSchema.optional(),
    }),
    z.object({ conversation: conversationSummarySchema }),
    'unlocked',
  ),
  'messages.page': method(
    z.strictObject({
      conversationId: conversationIdSchema,
      /** Opaque cursor from the previous page; absent for the newest messages. */
      before: z.string().min(1).max(200).optional(),
      limit: z.number().int().min(1).max(500).default(100),
    }),
    z.object({ messages: z.array(messageViewSchema), nextCursor: z.string().nullable() }),
    'unlocked',
  ),
  'messages.send': method(
    z.strictObject({
      conversationId: conversationIdSchema,
      text: z.string().min(1).max(maxMessageTextLength),
      urgent: z.boolean().default(false),
      replyToMessageId: messageIdSchema.optional(),
      /** The user saw the patient-identifiable-data warning and chose to send anyway. */
      sendDespitePidWarning: z.boolean().default(false),
    }),
    z.object({ message: messageViewSchema }),
    'unlocked',
  ),
  'messages.retry': method(
    z.strictObject({ conversationId: conversationIdSchema, messageId: messageIdSchema }),
    z.object({ message: messageViewSchema }),
    'unlocked',
  ),
  'messages.markRead': method(
    z.strictObject({ conversationId: conversationIdSchema, upToMessageId: messageIdSchema }),
    noResponse,
    'unlocked',
  ),
  /** The caller's own message, removed here, on the other side and on every other PC. */
  'messages.deleteForEveryone': method(deleteForEveryoneRequestSchema, noResponse, 'unlocked'),
  /** For both sides (in a group, admins only); never longer than the practice retention. */
  'conversations.setDisappearingTimer': method(
    disappearingTimerRequestSchema,
    disappearingTimerResponseSchema,
    'unlocked',
  ),
  'directory.list': method(
    z.strictObject({ query: searchQuery.optional() }),
    z.object({ entries: z.array(directoryContactSchema) }),
    'unlocked',
  ),
  'safetyNumber.get': method(
    z.strictObject({ accountId: accountIdSchema }),
    z.object({
      /** 60 digits, shown in 12 groups of 5. */
      digits: z.string().regex(/^\d{60}$/),
      /** Scannable fingerprint (public-key derived, not secret), base64, for the QR code. */
      qrPayload: z.string(),
      identityChanged: z.boolean(),
    }),
    'unlocked',
  ),
  /** The group's current state: name, members with roles, admins; whether we are in it. */
  'groups.get': method(groupRequestSchema, z.object({ group: groupViewSchema }), 'unlocked'),
  /** Admins only; the change is signed here and sent to every member. */
  'groups.addMember': method(
    groupMemberRequestSchema,
    z.object({ group: groupViewSchema }),
    'unlocked',
  ),
  'groups.removeMember': method(
    groupMemberRequestSchema,
    z.object({ group: groupViewSchema }),
    'unlocked',
  ),
  'groups.leave': method(groupRequestSchema, z.object({ group: groupViewSchema }), 'unlocked'),
  /** Admins only; every member sees a notice with the new name. */
  'groups.rename': method(
    groupRenameRequestSchema,
    z.object({ group: groupViewSchema }),
    'unlocked',
  ),
  /** Who of a group has received and read one of our messages ("read by 3 of 5", the list). */
  'messages.receipts': method(
    z.strictObject({ conversationId: conversationIdSchema, messageId: messageIdSchema }),
    z.object({ receipts: groupReceiptsSchema }),
    'unlocked',
  ),
  'identity.acknowledge': method(
    z.strictObject({ accountId: accountIdSchema }),
    noResponse,
    'unlocked',
  ),
  // This person's own devices (PCs) on the relay, this one included (`current`).
  'devices.list': method(
    noRequest,
    z.object({
      devices: z.array(
        z.object({
          deviceId: z.number().int().min(1).max(127),
          name: z.string().nullable(),
          lastSeen: timestampSchema.nullable(),
          current: z.boolean(),
        }),
      ),
    }),
    'unlocked',
  ),
  // Revokes another of this person's devices on the relay, with remote wipe.
  'devices.remove': method(
    z.strictObject({ deviceId: z.number().int().min(1).max(127) }),
    noResponse,
    'unlocked',
  ),
  // A one-time link code for a new PC of this person (shown with its QR code), per the policy.
  'devices.link': method(
    noRequest,
    z.object({ code: z.string(), expiresAt: timestampSchema, approvalRequired: z.boolean() }),
    'unlocked',
  ),
  // This PC's link code: who is asking to join with it and whether they proved they hold it.
  'devices.linkStatus': method(
    noRequest,
    z.object({ link: linkStatusSchema.nullable() }),
    'unlocked',
  ),
  // Approves or refuses the PC asking to join (one that did not prove the code is refused).
  'devices.decideLink': method(
    z.strictObject({ approve: z.boolean() }),
    z.object({ link: linkStatusSchema }),
    'unlocked',
  ),
  // Duty roles (issue 15): the directory's roles with who is on duty, starting and stopping duty,
  // where a message to a role would go (shown before sending), sending, acknowledging.
  'roles.list': method(
    z.strictObject({}),
    z.object({ roles: z.array(roleViewSchema) }),
    'unlocked',
  ),
  'roles.setDuty': method(
    z.strictObject({ roleId: roleIdIpcSchema, onDuty: z.boolean() }),
    z.object({ role: roleViewSchema }),
    'unlocked',
  ),
  'roles.plan': method(z.strictObject({ roleId: roleIdIpcSchema }), roleSendPlanSchema, 'unlocked'),
  // With nobody on duty: refused (`conflict`) unless toEscalation confirms the user saw the plan.
  'roles.send': method(
    z.strictObject({
      roleId: roleIdIpcSchema,
      text: z.string().min(1).max(maxMessageTextLength),
      urgent: z.boolean().default(false),
      /** Ask for acknowledgement of a message that is not urgent. */
      requestAck: z.boolean().default(false),
      toEscalation: z.boolean().default(false),
      sendDespitePidWarning: z.boolean().default(false),
    }),
    roleSendResultSchema,
    'unlocked',
  ),
  'roles.acknowledge': method(
    z.strictObject({ messageId: messageIdSchema }),
    z.object({ message: messageViewSchema }),
    'unlocked',
  ),
  // Practice managers and admins only (the relay refuses others with `forbidden`).
  'roles.create': method(roleCreateRequestSchema, z.object({ role: roleViewSchema }), 'unlocked'),
  'roles.delete': method(z.strictObject({ roleId: roleIdIpcSchema }), noResponse, 'unlocked'),
  // Main writes the clipboard so the renderer needs no clipboard permission.
  'clipboard.writeText': method(
    z.strictObject({
      text: z
        .string()
        .min(1)
        .max(maxMessageTextLength * 2),
    }),
    noResponse,
    'unlocked',
  ),

  // Files (attachment-schemas.ts). Main opens the native open dialog, checks the file (type from
  // its bytes, size, the practice's policy) and holds it until it is sent or discarded.
  'attachments.choose': method(
    noRequest,
    z.object({ staged: stagedAttachmentSchema.nullable() }),
    'unlocked',
  ),
  // Dropped or pasted into the composer: the bytes themselves, checked the same way.
  'attachments.stage': method(
    stageRequestSchema,
    z.object({ staged: stagedAttachmentSchema }),
    'unlocked',
  ),
  'attachments.discard': method(z.strictObject({ stageId: stageIdSchema }), noResponse, 'unlocked'),
  // The PID guard runs on the file name and the caption, as on a text message.
  'attachments.send': method(
    sendAttachmentRequestSchema,
    z.object({ message: messageViewSchema }),
    'unlocked',
  ),
  // A received or sent JPEG/PNG, decrypted in main, to decode in the renderer; refused for other
  // types and for images whose header promises more pixels than is safe to decode.
  'attachments.content': method(attachmentOfMessageSchema, inlineImageSchema, 'unlocked'),
  // Main asks where (a native save dialog).
  'attachments.save': method(
    attachmentOfMessageSchema,
    z.object({ saved: z.boolean(), fileName: z.string().nullable() }),
    'unlocked',
  ),
  // In the system's viewer: only the safe types (images, PDF, plain text) exist here at all.
  'attachments.open': method(
    attachmentOfMessageSchema,
    z.object({ opened: z.literal(true) }),
    'unlocked',
  ),
  // A failed upload or download again, from the chunks already done.
  'attachments.retry': method(
    attachmentOfMessageSchema,
    z.object({ message: messageViewSchema }),
    'unlocked',
  ),
  // Stops an upload in progress: the message shows as failed ("Upload cancelled") with Retry.
  'attachments.cancel': method(
    attachmentOfMessageSchema,
    z.object({ message: messageViewSchema }),
    'unlocked',
  ),

  // Transcription into the patient record (DOMAIN.md). The form carries what the clinician typed;
  // main adds the source, the times and the transcriber, and validates the whole entry.
  'transcription.draft': method(transcriptionSelectionSchema, transcriptionDraftSchema, 'unlocked'),
  'transcription.render': method(
    z.strictObject({ form: transcriptionFormSchema, format: entryFormatSchema }),
    renderedEntrySchema,
    'unlocked',
  ),
  // Main copies the plain-text entry and clears the clipboard again after a minute.
  'transcription.copy': method(
    z.strictObject({ form: transcriptionFormSchema }),
    z.object({ clearsAt: timestampSchema }),
    'unlocked',
  ),
  // Main asks where to save (a native save dialog): the renderer never names a path. With
  // withFiles, the files the entry lists are saved beside it; `files` names them.
  'transcription.saveFhir': method(
    z.strictObject({ form: transcriptionFormSchema, withFiles: z.boolean().optional() }),
    z.object({
      saved: z.boolean(),
      fileName: z.string().nullable(),
      files: z.array(z.string()),
    }),
    'unlocked',
  ),
  // Refused unless this entry was copied or saved, or enteredAnotherWay; and (forbidden) when it
  // deletes others' messages and the user's role is not clinical. Nothing goes out until the
  // undo window ends (undoUntil); `transcription.undo` cancels it before then.
  'transcription.confirm': method(
    transcriptionConfirmRequestSchema,
    transcriptionConfirmedSchema,
    'unlocked',
  ),
  // What confirming would delete: how many messages, from how many devices, and whether allowed.
  'transcription.scope': method(transcriptionSelectionSchema, deletionScopeSchema, 'unlocked'),
  'transcription.undo': method(
    transcriptionUndoRequestSchema,
    z.object({ undone: z.literal(true) }),
    'unlocked',
  ),
  // Clinicians' advice in no record and not marked "no record needed" that retention deletes
  // within the policy's retentionWarningDays, soonest first.
  'advice.untranscribed': method(z.strictObject({}), untranscribedAdviceListSchema, 'unlocked'),
  // Audited; only for this device's copies.
  'advice.markNoRecordNeeded': method(
    noRecordNeededRequestSchema,
    z.object({ marked: z.number().int().nonnegative() }),
    'unlocked',
  ),
  // Practice managers and admins only (`forbidden` for everyone else).
  'audit.list': method(
    z.strictObject({
      limit: z.number().int().min(1).max(200).default(50),
      beforeId: z.number().int().positive().optional(),
    }),
    z.object({ entries: z.array(auditEntryViewSchema), nextBeforeId: z.number().int().nullable() }),
    'unlocked',
  ),
  // The practice-wide trail from the relay, the chain checked here. Managers and admins only.
  'audit.practice': method(practiceAuditRequestSchema, practiceAuditViewSchema, 'unlocked'),
  // A new version of the practice's patient-reference key, sealed to every key-holding device;
  // older versions stay, so earlier entries are still found. Managers and admins only.
  'audit.rotatePatientKey': method(
    z.strictObject({}),
    z.object({ version: z.number().int().positive() }),
    'unlocked',
  ),
  // Subject Access Request: policy allowExport, the passcode again, then a folder dialog.
  'export.conversation': method(
    z.strictObject({
      conversationId: conversationIdSchema,
      passcode: passcodeSchema,
      reference: exportReferenceSchema.optional(),
    }),
    z.object({
      exported: z.boolean(),
      files: z.array(z.string()),
      messageCount: z.number().int().nonnegative(),
    }),
    'unlocked',
  ),
  // Subject access by patient (managers and admins): that patient's messages only, from every
  // conversation on this device, and the practice audit entries about them; policy allowExport,
  // the passcode again, then a folder dialog. Nothing found is `not_found`, never "0 messages".
  'export.patient': method(
    z.strictObject({
      nhsNumber: nhsNumberInputSchema,
      passcode: passcodeSchema,
      reference: exportReferenceSchema.optional(),
    }),
    z.object({
      exported: z.boolean(),
      files: z.array(z.string()),
      conversations: z.number().int().nonnegative(),
      messageCount: z.number().int().nonnegative(),
      auditEntries: z.number().int().nonnegative(),
    }),
    'unlocked',
  ),
} as const satisfies { [M in MethodName]: MethodSpec };

export const events = {
  'session.locked': z.object({ reason: lockReasonSchema }),
  'session.unlocked': z.object({ profileId: profileIdSchema }),
  'settings.changed': settingsSchema,
  'connection.changed': z.object({
    state: z.enum(['offline', 'connecting', 'online']),
    since: timestampSchema,
  }),
  'conversation.updated': z.object({ conversation: conversationSummarySchema }),
  'message.added': z.object({ message: messageViewSchema }),
  'message.status': z.object({
    conversationId: conversationIdSchema,
    messageId: messageIdSchema,
    status: messageStatusSchema,
    /** With status `failed`: why, worded for the sender, saying what to do (then Retry). */
    failureReason: z.string().nullable().optional(),
  }),
  // Something other than the status changed: transcribed (by whom, when, when it is deleted).
  'message.updated': z.object({ message: messageViewSchema }),
  'identity.changed': z.object({ accountId: accountIdSchema }),
  // Another of this person's devices removed one of theirs: read devices.list again.
  'devices.changed': z.object({}),
  // How far a file's upload or download has got, in chunks; its state changes come as
  // message.updated.
  'attachment.progress': z.object({
    conversationId: conversationIdSchema,
    messageId: messageIdSchema,
    done: z.number().int().nonnegative(),
    total: z.number().int().positive(),
  }),
  // Messages gone from this device: transcribed and deleted, expired (retention, disappearing
  // timer), or deleted by their sender. The renderer drops them from any open timeline.
  'messages.deleted': z.object({
    conversationId: conversationIdSchema,
    messageIds: z.array(messageIdSchema),
    reason: deletionReasonSchema,
  }),
  // The relay stopped accepting this device. `wiped`: an administrator revoked it with remote
  // wipe, and the profile (database and keychain entry) has been erased from this computer;
  // the session locks right after. `message` is the explanation to show. `removedBy`: the wipe
  // was the person's own, from another of their devices (protocol §2a), not the practice's.
  'account.stopped': z.object({
    reason: z.enum(['revoked', 'wiped', 'unauthorized', 'replaced']),
    message: z.string(),
    removedBy: z
      .object({
        displayName: z.string().max(100),
        deviceId: z.number().int().min(1),
        deviceName: z.string().max(100).nullable(),
      })
      .optional(),
  }),
} as const satisfies { [E in EventName]: z.ZodType };

export type Methods = typeof methods;
export type Events = typeof events;

/** What the renderer passes (defaults not yet applied). */
export type MethodRequest<M extends MethodName> = z.input<Methods[M]['request']>;
/** What a handler receives after validation (defaults applied). */
export type ParsedRequest<M extends MethodName> = z.output<Methods[M]['request']>;
/** What the renderer receives. */
export type MethodResponse<M extends MethodName> = z.output<Methods[M]['response']>;
export type EventPayload<E extends EventName> = z.output<Events[E]>;
