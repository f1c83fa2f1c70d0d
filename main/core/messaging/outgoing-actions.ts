import { MessengerError } from '../../../shared/errors.js';
import type { TranscribedNotice } from '../transcription/originals-deleter.js';
import type { ConversationRecord } from '../db/repositories/conversations-repository.js';
import type { MessageRecord } from '../db/repositories/messages-repository.js';
import { encodeContent, type Content, type ContentBody } from './content-codec.js';
import type { CoreContext } from './core-context.js';
import { applyDirectTimer } from './timer-notice.js';
import { newMessageId, nextSentAt } from './message-ids.js';
import { contentOfMessage } from './outgoing-content.js';
import { writeTranscribedMarkers } from './transcribed-markers.js';
import { sealOutboxRow } from './seal-outbox-row.js';
import { expiryOfNewMessage } from '../retention/expiry-policy.js';
import { enqueueSync } from './own-device-sync.js';
import type { UnreadMessage } from './messaging-queries.js';
import {
  RoleMessagesRepository,
  type RoleMessageRecord,
} from '../db/repositories/role-messages-repository.js';
import { roleTagOf } from '../roles/role-tag.js';

export interface SendTextOptions {
  readonly urgent?: boolean;
  readonly replyTo?: string;
  /** Sent to a duty role (roles/role-service.ts): the tag stored with it and carried inside. */
  readonly role?: Omit<RoleMessageRecord, 'messageId'>;
}

/**
 * Messages marked read per transaction (markRead): a few tens of milliseconds of the core at
 * most (10k-message bench, loaded machine), and the receipt chunk size, so a direct
 * conversation still sends one receipt per slice.
 */
export const markReadSlice = 500;

const chunk = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) =>
    items.slice(i * size, (i + 1) * size),
  );

/**
 * What the user does that goes out to the peer. Each writes its effect and its outbox row in
 * one transaction before any network, then wakes the outbox. A message is also encrypted in that
 * transaction when a session exists, so sending it needs no further commit.
 */
export class OutgoingActions {
  private readonly roleMessages: RoleMessagesRepository;

  constructor(private readonly ctx: CoreContext) {
    this.roleMessages = new RoleMessagesRepository(ctx.db);
  }

  async sendText(
    conversationId: string,
    text: string,
    options: SendTextOptions = {},
  ): Promise<MessageRecord> {
    const conversation = this.direct(conversationId);
    const peer = conversation.peerAccountId as string;
    this.assertNotBlocked(peer);
    if (
      options.replyTo &&
      this.ctx.repos.messages.get(options.replyTo)?.conversationId !== conversationId
    ) {
      throw new MessengerError(
        'invalid_input',
        'The message being replied to is not in this conversation.',
      );
    }
    const message = await this.ctx.txEmit(async (emit) => {
      const now = this.ctx.now();
      const sentAt = nextSentAt(now);
      const id = newMessageId(sentAt);
      // The expiry (policy and disappearing timer) is computed by the repository at insert.
      this.ctx.repos.messages.insert({
        id,
        conversationId,
        direction: 'outgoing',
        senderAccountId: this.ctx.account.accountId,
        senderDeviceId: this.ctx.account.deviceId,
        body: text,
        urgent: options.urgent ?? false,
        status: 'pending',
        sentAt,
        receivedAt: null,
        expiresAt: expiryOfNewMessage(this.ctx.repos, conversationId, sentAt),
      });
      if (options.replyTo) this.ctx.queries.setReplyTo(id, options.replyTo);
      if (options.role) {
        this.roleMessages.tagMessage({ ...options.role, messageId: id });
        // The holder has this send: the role's history is not shared with them again.
        if (options.role.sendId) this.roleMessages.addRecipients(options.role.sendId, [peer]);
      }
      const stored = this.ctx.repos.messages.get(id) as MessageRecord;
      await this.enqueueMessage(stored, peer, options.replyTo ?? null, now);
      // The person's other devices show it as sent by them.
      enqueueSync(
        this.ctx,
        peer,
        {
          type: 'sent',
          messageId: id,
          text,
          ...(options.urgent ? { urgent: true } : {}),
          ...(options.replyTo ? { replyTo: options.replyTo } : {}),
          sentAt,
        },
        now,
      );
      this.ctx.repos.conversations.touch(conversationId, sentAt);
      emit({ type: 'message.added', message: stored });
      emit({ type: 'conversation.updated', conversationId });
      return stored;
    });
    this.ctx.kickOutbox();
    return message;
  }

  /** A failed message goes back to pending and into the outbox, with the same id. */
  async retry(messageId: string): Promise<MessageRecord> {
    const message = this.ctx.repos.messages.get(messageId);
    if (!message || message.direction !== 'outgoing') {
      throw new MessengerError('not_found', 'There is no message of yours with that id.');
    }
    if (message.status !== 'failed') return message;
    const peer = this.direct(message.conversationId).peerAccountId as string;
    this.assertNotBlocked(peer);
    const updated = await this.ctx.txEmit(async (emit) => {
      this.ctx.repos.messages.updateStatus(messageId, 'pending');
      this.ctx.repos.outbox.removeForMessage(messageId);
      await this.enqueueMessage(message, peer, this.ctx.queries.replyTo(messageId), this.ctx.now());
      emit({
        type: 'message.status',
        conversationId: message.conversationId,
        messageId,
        status: 'pending',
        failureReason: null,
      });
      return this.ctx.repos.messages.get(messageId) as MessageRecord;
    });
    this.ctx.kickOutbox();
    return updated;
  }

  /**
   * Marks incoming messages read up to the given one and sends read receipts for them.
   *
   * In slices of `markReadSlice` messages, oldest first, each one transaction that marks its
   * messages read (one UPDATE) and queues their receipts and own-device sync, with a yield to
   * the event loop between slices: opening a conversation of thousands of unread messages does
   * not hold the core (and the next page request) for the whole of it. A crash between slices
   * leaves the earlier slices read with their receipts queued and the rest unread, to be marked
   * at the next open; no message is read without its receipt, or the reverse.
   */
  async markRead(conversationId: string, upToMessageId: string): Promise<string[]> {
    const conversation = this.ctx.repos.conversations.get(conversationId);
    if (!conversation) throw new MessengerError('not_found', 'There is no such conversation.');
    const upTo = this.ctx.repos.messages.get(upToMessageId);
    if (!upTo || upTo.conversationId !== conversationId) {
      throw new MessengerError('not_found', 'That message is not in this conversation.');
    }
    const marked: string[] = [];
    // Where the last slice ended. A message stored meanwhile with an older time (a late copy)
    // is behind it and stays unread, counted, until the next markRead: never read unreceipted.
    let after: UnreadMessage | null = null;
    for (;;) {
      const from = after;
      const slice = await this.ctx.txEmit(async (emit) => {
        const rows = this.ctx.queries.unreadUpTo(conversationId, from, upTo, markReadSlice);
        if (rows.length > 0) this.queueReadReceipts(conversation, from, rows, this.ctx.now());
        // One update for the list (its unread count) once the last slice is marked.
        if (rows.length < markReadSlice && marked.length + rows.length > 0) {
          emit({ type: 'conversation.updated', conversationId });
        }
        return rows;
      });
      for (const row of slice) marked.push(row.id);
      if (slice.length > 0) this.ctx.kickOutbox();
      if (slice.length < markReadSlice) return marked;
      after = slice.at(-1) ?? null;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** One slice of markRead: its messages read, their receipts and own-device sync queued. */
  private queueReadReceipts(
    conversation: ConversationRecord,
    after: UnreadMessage | null,
    rows: readonly UnreadMessage[],
    now: number,
  ): void {
    const last = rows.at(-1) as UnreadMessage;
    // Exactly these rows: the oldest unread after `after` up to `last`, read in this transaction.
    this.ctx.repos.messages.markReadBetween(conversation.id, after, last, now);
    // Notices were written by this device; the peer never sent them, so no receipt.
    const sentByPeer = rows.filter((row) => row.kind === 'text');
    // In a group each writer gets the receipts of their own messages.
    const bySender = new Map<string, string[]>();
    for (const row of sentByPeer) {
      const sender = conversation.peerAccountId ?? row.sender;
      const list = bySender.get(sender);
      if (list) list.push(row.id);
      else bySender.set(sender, [row.id]);
    }
    for (const [sender, senderIds] of bySender) {
      for (const ids of chunk(senderIds, 500)) {
        this.enqueueControl(
          'receipt',
          sender,
          { kind: 'receipt', receipt: 'read', messageIds: ids },
          now,
        );
      }
    }
    // The person's other devices mark them read too (a group is named by its id).
    for (const ids of chunk(
      sentByPeer.map((row) => row.id),
      500,
    )) {
      enqueueSync(
        this.ctx,
        conversation.peerAccountId ?? conversation.id,
        { type: 'read', messageIds: ids },
        now,
      );
    }
  }

  /**
   * Deletes messages here and on the peer's devices (transcription: "transcribe, attribute,
   * then delete"). Leaves tombstones so late copies are not stored again, and an audit entry
   * with ids only.
   */
  async deleteForEveryone(
    conversationId: string,
    messageIds: readonly string[],
    reason: 'sender' | 'transcribed',
  ): Promise<void> {
    const conversation = this.direct(conversationId);
    for (const id of messageIds) {
      const message = this.ctx.repos.messages.get(id);
      if (message && message.conversationId !== conversationId) {
        throw new MessengerError('invalid_input', `Message ${id} is not in this conversation.`);
      }
    }
    await this.ctx.txEmit(async (emit) => {
      const now = this.ctx.now();
      const transcribedAt = this.transcribedAt(messageIds, now);
      const markers =
        reason === 'transcribed'
          ? writeTranscribedMarkers(this.ctx.repos, {
              conversationId,
              messageIds,
              transcribedBy: this.ctx.account.accountId,
              transcribedAt,
              now,
            })
          : [];
      for (const id of messageIds) this.ctx.repos.outbox.removeForMessage(id);
      this.ctx.repos.messages.delete(messageIds, now, reason);
      for (const ids of chunk(messageIds, 500)) {
        this.enqueueControl(
          'control',
          conversation.peerAccountId as string,
          {
            kind: 'delete',
            messageIds: ids,
            reason,
            ...(reason === 'transcribed' ? { transcribedAt } : {}),
          },
          now,
        );
        enqueueSync(
          this.ctx,
          conversation.peerAccountId as string,
          {
            type: 'deleted',
            messageIds: ids,
            reason,
            ...(reason === 'transcribed' ? { transcribedAt } : {}),
          },
          now,
        );
      }
      this.ctx.repos.audit.append({
        at: now,
        actorAccountId: this.ctx.account.accountId,
        action: 'messages_deleted_for_everyone',
        conversationId,
        messageIds,
        details: { reason, origin: 'self' },
      });
      emit({ type: 'message.deleted', conversationId, messageIds, reason });
      for (const marker of markers) emit({ type: 'message.added', message: marker });
      emit({ type: 'conversation.updated', conversationId });
    });
    this.ctx.kickOutbox();
  }

  /** When the transcription of these messages was confirmed here (for the markers), else now. */
  private transcribedAt(messageIds: readonly string[], now: number): number {
    for (const id of messageIds) {
      const at = this.ctx.repos.messages.get(id)?.transcribedAt;
      if (at != null) return at;
    }
    return now;
  }

  /**
   * Tells the peer that messages were transcribed into the record, by whom (an account id) and
   * when the originals go; marks them transcribed here too.
   */
  async sendTranscribedNotice(conversationId: string, notice: TranscribedNotice): Promise<void> {
    const conversation = this.direct(conversationId);
    const { messageIds, transcribedBy, transcribedAt, deleteAt } = notice;
    await this.ctx.txEmit(async (emit) => {
      const now = this.ctx.now();
      this.ctx.repos.messages.markTranscribed(messageIds, transcribedBy, transcribedAt);
      for (const ids of chunk(messageIds, 500)) {
        this.enqueueControl(
          'control',
          conversation.peerAccountId as string,
          {
            kind: 'transcribed',
            messageIds: ids,
            transcribedBy,
            transcribedAt,
            ...(deleteAt === undefined ? {} : { deleteAt }),
          },
          now,
        );
        enqueueSync(
          this.ctx,
          conversation.peerAccountId as string,
          {
            type: 'transcribed',
            messageIds: ids,
            transcribedAt,
            ...(deleteAt === undefined ? {} : { deleteAt }),
          },
          now,
        );
      }
      for (const id of messageIds) {
        const message = this.ctx.repos.messages.get(id);
        if (message) emit({ type: 'message.updated', message });
      }
    });
    this.ctx.kickOutbox();
  }

  /** Sets the conversation's disappearing-message timer here and for the peer; 0 turns it off. */
  async setDisappearingTimer(conversationId: string, seconds: number): Promise<void> {
    const conversation = this.direct(conversationId);
    await this.ctx.txEmit(async (emit) => {
      const now = this.ctx.now();
      applyDirectTimer(
        this.ctx,
        { conversationId, byAccountId: this.ctx.account.accountId, seconds, at: now },
        emit,
      );
      this.enqueueControl(
        'control',
        conversation.peerAccountId as string,
        { kind: 'disappearing-timer', seconds },
        now,
      );
      enqueueSync(
        this.ctx,
        conversation.peerAccountId as string,
        { type: 'disappearing-timer', seconds },
        now,
      );
    });
    this.ctx.kickOutbox();
  }

  /** Queues the message and encrypts it in the same transaction (seal-outbox-row.ts). */
  private async enqueueMessage(
    message: MessageRecord,
    peer: string,
    replyTo: string | null,
    now: number,
  ): Promise<void> {
    const payload = encodeContent(
      contentOfMessage(
        message,
        replyTo,
        this.ctx.repos.attachments.get(message.id),
        roleTagOf(this.roleMessages, message.id),
      ),
    );
    const outboxId = this.ctx.repos.outbox.enqueue(
      { kind: 'message', messageId: message.id, recipientAccountId: peer, payload },
      now,
    );
    await sealOutboxRow(this.ctx, outboxId, peer, payload);
  }

  /**
   * Sends control content to a person (duty roles: the role history for a new holder), with
   * `alongside` run in the same transaction, so what it records commits with the outbox row.
   */
  async sendControl(recipient: string, body: ContentBody, alongside: () => void): Promise<void> {
    this.assertNotBlocked(recipient);
    await this.ctx.tx(async () => {
      const now = this.ctx.now();
      this.enqueueControl('control', recipient, body, now);
      alongside();
    });
    this.ctx.kickOutbox();
  }

  private enqueueControl(
    kind: 'receipt' | 'control',
    recipient: string,
    body: ContentBody,
    now: number,
  ): void {
    const content = { v: 1, id: newMessageId(now), sentAt: now, ...body } as Content;
    this.ctx.repos.outbox.enqueue(
      { kind, recipientAccountId: recipient, payload: encodeContent(content) },
      now,
    );
  }

  private direct(conversationId: string): ConversationRecord {
    const conversation = this.ctx.repos.conversations.get(conversationId);
    if (!conversation) throw new MessengerError('not_found', 'There is no such conversation.');
    if (conversation.kind !== 'direct' || !conversation.peerAccountId) {
      throw new MessengerError('invalid_input', 'Group conversations are not supported yet.');
    }
    return conversation;
  }

  private assertNotBlocked(peer: string): void {
    if (this.ctx.sessions.isBlocked(peer)) {
      throw new MessengerError(
        'forbidden',
        "This person's safety number has changed. Compare it with them, then acknowledge the change before sending.",
        { reason: 'identity_changed', accountId: peer },
      );
    }
  }
}
