import { keepEarlyReceipt } from './early-receipts.js';
import { hasOtherDevices } from './own-device-sync.js';
import { isClinicalRole } from '../../../shared/clinical/clinical-roles.js';
import type { MessageRecord } from '../db/repositories/messages-repository.js';
import { encodeContent, type Content } from './content-codec.js';
import type { CoreContext } from './core-context.js';
import { queueIncomingFile } from './attachments/queue-incoming-file.js';
import { applyDirectTimer } from './timer-notice.js';
import type { MessagingEvent } from './messaging-events.js';
import { newMessageId } from './message-ids.js';
import { contentOfMessage } from './outgoing-content.js';
import { writeTranscribedMarkers } from './transcribed-markers.js';
import { expiryOfNewMessage } from '../retention/expiry-policy.js';
import { applySync } from './sync-applier.js';
import { GroupInbound, type GroupVia } from './groups/group-inbound.js';
import { RoleMessagesRepository } from '../db/repositories/role-messages-repository.js';
import { recordReceivedRoleTag, roleTagOf } from '../roles/role-tag.js';
import { applyRoleHistory } from '../roles/role-history-applier.js';

export interface ContentSource {
  readonly accountId: string;
  readonly deviceId: number;
}

type Emit = (event: MessagingEvent) => void;

/**
 * Applies decrypted content to the profile database. Runs inside the receive transaction, so the
 * session state, the stored message and the queued delivery receipt commit together.
 */
export class ContentApplier {
  /** Group content: state changes, sender keys, group messages and their receipts. */
  readonly groups: GroupInbound;
  private readonly roleMessages: RoleMessagesRepository;

  constructor(private readonly ctx: CoreContext) {
    this.groups = new GroupInbound(ctx);
    this.roleMessages = new RoleMessagesRepository(ctx.db);
  }

  async apply(
    content: Content,
    from: ContentSource,
    emit: Emit,
    via: GroupVia = { distributionId: null },
  ): Promise<void> {
    if (from.accountId === this.ctx.account.accountId) {
      // From another of the person's own devices: sync content, and the person's part in their
      // groups (states, that device's sender key, what it wrote to a group: sent by me).
      this.ctx.ownDevices.siblings.add(from.deviceId);
      if (content.kind === 'sync') applySync(this.ctx, content, from.deviceId, emit);
      else if (isGroupContent(content, via)) await this.groups.apply(content, from, via, emit);
      else this.ctx.logger.info('own_device_content_ignored', { kind: content.kind });
      return;
    }
    if (content.groupId !== undefined || via.distributionId !== null) {
      await this.groups.apply(content, from, via, emit);
      return;
    }
    switch (content.kind) {
      case 'group-update':
      case 'group-sender-key':
        await this.groups.apply(content, from, via, emit);
        return;
      case 'text':
      case 'attachment':
        this.text(content, from, emit);
        return;
      case 'receipt':
        this.receipt(content, from, emit);
        return;
      case 'delete':
        this.remove(content, from, emit);
        return;
      case 'transcribed':
        this.transcribed(content, from, emit);
        return;
      case 'disappearing-timer':
        this.timer(content, from, emit);
        return;
      case 'session-reset':
        this.resend(content, from, emit);
        return;
      case 'role-history':
        applyRoleHistory(this.ctx, this.roleMessages, content, from, emit);
        return;
      case 'sync':
        // Only the person's own devices may say what the person did (above).
        this.ctx.logger.warn('sync_from_other_account_ignored', {});
        return;
    }
  }

  private text(
    content: Extract<Content, { kind: 'text' | 'attachment' }>,
    from: ContentSource,
    emit: Emit,
  ): void {
    const { messages, conversations, outbox } = this.ctx.repos;
    // A resend after a session reset: the copy kept as undecryptable is no longer needed.
    this.ctx.undecryptable.removeCopiesOf(from.accountId, content.id);
    if (messages.get(content.id) || messages.wasDeleted(content.id)) return;
    // An escalation copy re-sealed by a colleague's device for a message already here.
    const alertId = content.role?.alertId;
    if (alertId && this.roleMessages.messagesOfAlert(alertId).length > 0) return;
    const now = this.ctx.now();
    const conversation = conversations.getOrCreateDirect(from.accountId, now);
    // No expiresAt: the repository gives it from the policy and the conversation's timer, counted
    // from receipt here, in this transaction (so no later pass can miss it).
    messages.insert({
      id: content.id,
      conversationId: conversation.id,
      direction: 'incoming',
      senderAccountId: from.accountId,
      senderDeviceId: from.deviceId,
      body: content.text ?? '',
      urgent: content.urgent === true,
      status: 'delivered',
      sentAt: content.sentAt,
      receivedAt: now,
      expiresAt: expiryOfNewMessage(this.ctx.repos, conversation.id, now),
    });
    if (content.replyTo) this.ctx.queries.setReplyTo(content.id, content.replyTo);
    if (content.role) {
      recordReceivedRoleTag(this.roleMessages, content.id, content.role, now);
    }
    if (content.kind === 'attachment') {
      queueIncomingFile(this.ctx, content.id, content.attachment, now);
    }
    conversations.touch(conversation.id, now);
    const receipt: Content = {
      v: 1,
      id: newMessageId(now),
      sentAt: now,
      kind: 'receipt',
      receipt: 'delivered',
      messageIds: [content.id],
    };
    outbox.enqueue(
      { kind: 'receipt', recipientAccountId: from.accountId, payload: encodeContent(receipt) },
      now,
    );
    emit({ type: 'message.added', message: messages.get(content.id) as MessageRecord });
    emit({ type: 'conversation.updated', conversationId: conversation.id });
  }

  private receipt(content: Extract<Content, { kind: 'receipt' }>, from: ContentSource, emit: Emit) {
    const { messages } = this.ctx.repos;
    // Receipts of one person travel merged, for direct and group messages alike.
    this.groups.receipt(content, from, emit);
    // Ids stored nowhere here may be messages the person sent from another PC whose copy has not
    // arrived yet: kept, and applied when it does (early-receipts.ts).
    if (hasOtherDevices(this.ctx)) {
      for (const id of content.messageIds) {
        const { messages } = this.ctx.repos;
        if (messages.get(id) || messages.wasDeleted(id)) continue;
        keepEarlyReceipt(this.ctx.db, id, from.accountId, content.receipt, this.ctx.now());
      }
    }
    for (const message of this.ownedBy(content.messageIds, from.accountId)) {
      if (message.direction !== 'outgoing') continue;
      if (!messages.updateStatus(message.id, content.receipt)) continue;
      emit({
        type: 'message.status',
        conversationId: message.conversationId,
        messageId: message.id,
        status: content.receipt,
        failureReason: null,
      });
    }
  }

  private remove(content: Extract<Content, { kind: 'delete' }>, from: ContentSource, emit: Emit) {
    const conversation = this.ctx.repos.conversations.findDirect(from.accountId);
    if (!conversation) return;
    // A peer may delete messages of the conversation with them, never other conversations; and
    // (authorizedFor) only its own, unless it is a clinician deleting a transcribed exchange.
    const inConversation = content.messageIds.filter((id) => {
      const message = this.ctx.repos.messages.get(id);
      return message === null || message.conversationId === conversation.id;
    });
    const { allowed: ids, refused } = this.authorizedFor(inConversation, from, content.reason);
    const now = this.ctx.now();
    const markers =
      content.reason === 'transcribed'
        ? writeTranscribedMarkers(this.ctx.repos, {
            conversationId: conversation.id,
            messageIds: ids,
            transcribedBy: from.accountId,
            transcribedAt: content.transcribedAt ?? this.transcribedAtOf(ids) ?? now,
            now,
          })
        : [];
    for (const id of ids) this.ctx.repos.outbox.removeForMessage(id);
    this.ctx.repos.messages.delete(ids, now, content.reason);
    this.ctx.repos.audit.append({
      at: now,
      actorAccountId: from.accountId,
      action: 'messages_deleted_for_everyone',
      conversationId: conversation.id,
      messageIds: ids,
      details: { reason: content.reason, origin: 'peer' },
    });
    if (refused.length > 0) {
      const notice = this.refuseDeletion(conversation.id, refused, from, content.reason, now);
      if (notice) markers.push(notice);
    }
    emit({
      type: 'message.deleted',
      conversationId: conversation.id,
      messageIds: ids,
      reason: content.reason,
    });
    for (const marker of markers) emit({ type: 'message.added', message: marker });
    emit({ type: 'conversation.updated', conversationId: conversation.id });
  }

  /**
   * The peer copied these messages into a patient record. They are marked here too and, when the
   * notice carries a deletion time, this device deletes them then on its own (retention timer),
   * so the originals go everywhere even if the transcriber's device is off at that moment.
   */
  private transcribed(
    content: Extract<Content, { kind: 'transcribed' }>,
    from: ContentSource,
    emit: Emit,
  ) {
    const { messages } = this.ctx.repos;
    const stored = this.ownedBy(content.messageIds, from.accountId);
    const { allowed } = this.authorizedFor(
      stored.map((m) => m.id),
      from,
      'transcribed',
    );
    const owned = stored.filter((m) => allowed.includes(m.id));
    // Attributed to the authenticated sender of the notice, whatever account id it names: a
    // peer cannot record a transcription in someone else's name.
    if (content.transcribedBy !== from.accountId) {
      this.ctx.logger.warn('transcribed_by_mismatch', { sender: from.accountId });
    }
    messages.markTranscribed(
      owned.map((m) => m.id),
      from.accountId,
      content.transcribedAt,
    );
    const { deleteAt } = content;
    if (deleteAt !== undefined) {
      // Never postpone an earlier expiry (retention policy or a disappearing timer).
      const sooner = owned.filter((m) => m.expiresAt === null || m.expiresAt > deleteAt);
      messages.setExpiry(
        sooner.map((m) => m.id),
        deleteAt,
      );
    }
    for (const message of owned) {
      const updated = messages.get(message.id);
      if (updated) emit({ type: 'message.updated', message: updated });
    }
  }

  /**
   * docs/security.md, "Deleting after transcription": a peer's device may delete (or schedule
   * the deletion of) the messages the peer wrote; messages written by anyone else only when the
   * reason is a transcription and the peer's role in this device's copy of the directory is a
   * clinical one. Ids not stored here (nothing to read) are tombstoned either way; notices this
   * device wrote are never the peer's to delete.
   */
  private authorizedFor(
    ids: readonly string[],
    from: ContentSource,
    reason: 'sender' | 'transcribed',
  ): { allowed: string[]; refused: string[] } {
    const clinical =
      reason === 'transcribed' && isClinicalRole(this.ctx.repos.contacts.get(from.accountId)?.role);
    const allowed: string[] = [];
    const refused: string[] = [];
    for (const id of ids) {
      const message = this.ctx.repos.messages.get(id);
      const permitted =
        message === null ||
        (message.kind === 'text' && (message.senderAccountId === from.accountId || clinical));
      (permitted ? allowed : refused).push(id);
    }
    return { allowed, refused };
  }

  /** Keeps what the peer may not delete, audited, and says so in the conversation. */
  private refuseDeletion(
    conversationId: string,
    refused: readonly string[],
    from: ContentSource,
    reason: 'sender' | 'transcribed',
    now: number,
  ): MessageRecord | null {
    const { contacts, messages, audit } = this.ctx.repos;
    const contact = contacts.get(from.accountId);
    audit.append({
      at: now,
      actorAccountId: from.accountId,
      action: 'messages_delete_refused',
      conversationId,
      messageIds: refused,
      details: { reason, origin: 'peer', peerRole: contact?.role ?? null },
    });
    this.ctx.logger.warn('peer_delete_refused', { count: refused.length, reason });
    const wanted = refused.filter((id) => messages.get(id)?.kind === 'text');
    if (wanted.length === 0) return null;
    const name = contact?.displayName ?? 'someone not in the directory';
    const count = wanted.length === 1 ? '1 message' : `${wanted.length} messages`;
    const id = newMessageId(now);
    messages.insert({
      id,
      conversationId,
      direction: 'incoming',
      senderAccountId: from.accountId,
      kind: 'notice',
      body:
        `${name} asked to delete ${count} not written by them` +
        (reason === 'transcribed' ? ' as transcribed into the record' : '') +
        `. Only a clinician may delete someone else's messages after transcribing them, so ` +
        `${wanted.length === 1 ? 'it was' : 'they were'} kept here.`,
      status: 'delivered',
      sentAt: Math.max(...wanted.map((m) => messages.get(m)?.sentAt ?? now)),
      receivedAt: now,
      expiresAt: expiryOfNewMessage(this.ctx.repos, conversationId, now),
    });
    return messages.get(id);
  }

  private transcribedAtOf(ids: readonly string[]): number | null {
    for (const id of ids) {
      const at = this.ctx.repos.messages.get(id)?.transcribedAt;
      if (at != null) return at;
    }
    return null;
  }

  private timer(
    content: Extract<Content, { kind: 'disappearing-timer' }>,
    from: ContentSource,
    emit: Emit,
  ) {
    const conversation = this.ctx.repos.conversations.getOrCreateDirect(
      from.accountId,
      this.ctx.now(),
    );
    applyDirectTimer(
      this.ctx,
      {
        conversationId: conversation.id,
        byAccountId: from.accountId,
        seconds: content.seconds,
        at: this.ctx.now(),
      },
      emit,
    );
  }

  /** The peer could not decrypt some of our messages and started a fresh session: resend them. */
  private resend(
    content: Extract<Content, { kind: 'session-reset' }>,
    from: ContentSource,
    emit: Emit,
  ) {
    const now = this.ctx.now();
    for (const message of this.ownedBy(content.messageIds ?? [], from.accountId)) {
      if (message.direction !== 'outgoing' || this.ctx.queries.outboxHasMessage(message.id)) {
        continue;
      }
      this.ctx.repos.outbox.enqueue(
        {
          kind: 'message',
          messageId: message.id,
          recipientAccountId: from.accountId,
          payload: encodeContent(
            contentOfMessage(
              message,
              this.ctx.queries.replyTo(message.id),
              this.ctx.repos.attachments.get(message.id),
              roleTagOf(this.roleMessages, message.id),
            ),
          ),
        },
        now,
      );
      emit({ type: 'conversation.updated', conversationId: message.conversationId });
    }
    this.ctx.kickOutbox();
  }

  /** The messages among `ids` that belong to the direct conversation with `accountId`. */
  private ownedBy(ids: readonly string[], accountId: string): MessageRecord[] {
    const conversation = this.ctx.repos.conversations.findDirect(accountId);
    if (!conversation) return [];
    return ids
      .map((id) => this.ctx.repos.messages.get(id))
      .filter((m): m is MessageRecord => m !== null && m.conversationId === conversation.id);
  }
}

/** Content that belongs to a group: a state, a sender key, or anything carrying a group id. */
function isGroupContent(content: Content, via: GroupVia): boolean {
  return (
    content.groupId !== undefined ||
    via.distributionId !== null ||
    content.kind === 'group-update' ||
    content.kind === 'group-sender-key'
  );
}
