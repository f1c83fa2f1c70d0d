import {
  ProtocolAddress,
  SenderKeyDistributionMessage,
  processSenderKeyDistributionMessage,
} from '@signalapp/libsignal-client';
import { describeError } from '../../../../shared/describe-error.js';
import { MessengerError } from '../../../../shared/errors.js';
import type { MessageRecord } from '../../db/repositories/messages-repository.js';
import { expiryOfNewMessage } from '../../retention/expiry-policy.js';
import { encodeContent, type Content } from '../content-codec.js';
import type { CoreContext } from '../core-context.js';
import { queueIncomingFile } from '../attachments/queue-incoming-file.js';
import type { MessagingEvent } from '../messaging-events.js';
import { newMessageId } from '../message-ids.js';
import { RelayRequestError } from '../relay/relay-http.js';
import { applyGroupDelete, applyGroupTranscribed } from './group-inbound-changes.js';
import { GroupStates } from './group-states.js';
import { GroupsStore } from './groups-store.js';

type Emit = (event: MessagingEvent) => void;

export interface GroupContentSource {
  readonly accountId: string;
  readonly deviceId: number;
}

/** How a group message reached us: the sender key it was encrypted with (null: 1:1 session). */
export interface GroupVia {
  readonly distributionId: string | null;
}

/**
 * Applies group content inside the receive transaction: state changes and sender keys (1:1),
 * group messages (sender key), and receipts for our group messages. Content is taken only from
 * a current member, for a group this device is still in, under that member's own sender key.
 */
export class GroupInbound {
  readonly store: GroupsStore;
  readonly states: GroupStates;

  /** Signer devices whose identity key is wanted to judge a state kept meanwhile. */
  private readonly wantedSigners = new Map<string, { accountId: string; deviceId: number }>();
  /** Signer devices the relay no longer has: their states are refused, not kept. */
  private readonly unknowable = new Set<string>();
  /** A sender key or a state arrived: kept group content may now be readable. */
  private keysArrived = false;

  constructor(private readonly ctx: CoreContext) {
    this.store = new GroupsStore(ctx.db);
    this.states = new GroupStates(ctx, this.store, (signer) => {
      const key = `${signer.accountId}.${signer.deviceId}`;
      if (this.unknowable.has(key)) return false;
      this.wantedSigners.set(key, signer);
      return true;
    });
  }

  /**
   * After a receive batch has committed: fetches the identity keys of signers that states were
   * kept for (a prekey bundle, as on first contact), and says whether kept group content should
   * be tried again now (a key, a state or a signer arrived) rather than at the next start.
   */
  async settleWaits(): Promise<boolean> {
    let retry = this.keysArrived;
    this.keysArrived = false;
    for (const [key, signer] of [...this.wantedSigners]) {
      this.wantedSigners.delete(key);
      const { identity } = this.ctx.stores;
      if (identity.deviceIdentity(signer.accountId, signer.deviceId)) {
        retry = true;
        continue;
      }
      try {
        // Never written to: all their devices at once (first contact); else just this one.
        await this.ctx.sessions.fetchBundles(
          signer.accountId,
          identity.remoteIdentity(signer.accountId) ? signer.deviceId : undefined,
        );
        retry = true;
      } catch (error) {
        if (error instanceof RelayRequestError && error.code === 'not_found') {
          this.unknowable.add(key);
          retry = true;
        } else {
          this.ctx.logger.info('group_signer_lookup_failed', { error: describeError(error) });
        }
      }
    }
    return retry;
  }

  /** The group a sender-key message belongs to, from the sender key's distribution id. */
  groupOfSenderKey(distributionId: string, from: GroupContentSource): string | null {
    return this.store.senderKeyGroup(distributionId, from.accountId, from.deviceId);
  }

  async apply(
    content: Content,
    from: GroupContentSource,
    via: GroupVia,
    emit: Emit,
  ): Promise<void> {
    switch (content.kind) {
      case 'group-update':
        if ((await this.states.receive(content.state, emit)) === 'accepted') {
          this.keysArrived = true;
        }
        return;
      case 'group-sender-key':
        await this.senderKey(content, from, emit);
        return;
      case 'text':
      case 'attachment':
        this.message(content, from, via, emit);
        return;
      case 'receipt':
        this.receipt(content, from, emit);
        return;
      case 'delete': {
        const groupId = this.checkedGroup(content, from, via);
        if (groupId !== null) applyGroupDelete(this.ctx, groupId, content, from, emit);
        return;
      }
      case 'transcribed': {
        const groupId = this.checkedGroup(content, from, via);
        if (groupId !== null) applyGroupTranscribed(this.ctx, groupId, content, from, emit);
        return;
      }
      default:
        this.ctx.logger.info('group_content_unsupported', { kind: content.kind });
    }
  }

  private async senderKey(
    content: Extract<Content, { kind: 'group-sender-key' }>,
    from: GroupContentSource,
    emit: Emit,
  ): Promise<void> {
    await this.states.receive(content.state, emit);
    const groupId = content.state.body.groupId;
    // Kept even when the sender is not (yet) a member here: the state that adds them may still be
    // on its way from an admin. Their messages are checked against the members when they come.
    const skdm = SenderKeyDistributionMessage.deserialize(
      new Uint8Array(Buffer.from(content.skdm, 'base64')),
    );
    if (skdm.distributionId() !== content.distributionId) {
      this.ctx.logger.warn('group_sender_key_mismatch', { groupId, sender: from.accountId });
      return;
    }
    await processSenderKeyDistributionMessage(
      ProtocolAddress.new(from.accountId, from.deviceId),
      skdm,
      this.ctx.stores.senderKey,
    );
    this.store.recordSenderKey(content.distributionId, from.accountId, from.deviceId, groupId);
    this.keysArrived = true;
  }

  private message(
    content: Extract<Content, { kind: 'text' | 'attachment' }>,
    from: GroupContentSource,
    via: GroupVia,
    emit: Emit,
  ): void {
    const groupId = this.checkedGroup(content, from, via);
    if (groupId === null) return;
    const { messages, conversations, outbox } = this.ctx.repos;
    if (messages.get(content.id) || messages.wasDeleted(content.id)) return;
    const now = this.ctx.now();
    if (from.accountId === this.ctx.account.accountId) {
      this.ownMessage(content, from, emit);
      return;
    }
    messages.insert({
      id: content.id,
      conversationId: groupId,
      direction: 'incoming',
      senderAccountId: from.accountId,
      senderDeviceId: from.deviceId,
      body: content.text ?? '',
      urgent: content.kind === 'text' && content.urgent === true,
      status: 'delivered',
      sentAt: content.sentAt,
      receivedAt: now,
      expiresAt: expiryOfNewMessage(this.ctx.repos, groupId, now),
    });
    if (content.replyTo) this.ctx.queries.setReplyTo(content.id, content.replyTo);
    this.fileOf(content, now);
    conversations.touch(groupId, now);
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
    emit({ type: 'conversation.updated', conversationId: groupId });
  }

  /**
   * The group of content sent under a sender key, once it is sure the sender is a member of it
   * here; null (logged) when it is not group content under the sender's own key for that group.
   */
  private checkedGroup(content: Content, from: GroupContentSource, via: GroupVia): string | null {
    const groupId = content.groupId;
    if (
      !groupId ||
      via.distributionId === null ||
      this.groupOfSenderKey(via.distributionId, from) !== groupId
    ) {
      this.ctx.logger.warn('group_message_refused', { sender: from.accountId });
      return null;
    }
    if (!this.memberHere(groupId, from.accountId)) {
      // Not a member in the state this device holds: kept (never lost) rather than shown, since
      // the change that adds them may not have arrived yet. A removed member's stays unread.
      throw new MessengerError(
        'forbidden',
        'A group message from someone who is not a member of the group here.',
      );
    }
    return groupId;
  }

  /**
   * What the person wrote to the group from another of their devices: stored as sent by me,
   * with the members of now as its recipients (their receipts reach every device of the person,
   * so "read by 3 of 5" shows here too), and no receipt back to ourselves.
   */
  private ownMessage(
    content: Extract<Content, { kind: 'text' | 'attachment' }>,
    from: GroupContentSource,
    emit: Emit,
  ): void {
    const groupId = content.groupId as string;
    const { messages, conversations } = this.ctx.repos;
    messages.insert({
      id: content.id,
      conversationId: groupId,
      direction: 'outgoing',
      senderAccountId: from.accountId,
      senderDeviceId: from.deviceId,
      body: content.text ?? '',
      urgent: content.kind === 'text' && content.urgent === true,
      status: 'sent',
      sentAt: content.sentAt,
      receivedAt: this.ctx.now(),
      // Counted from when it was sent, as on the device that sent it.
      expiresAt: expiryOfNewMessage(this.ctx.repos, groupId, content.sentAt),
    });
    if (content.replyTo) this.ctx.queries.setReplyTo(content.id, content.replyTo);
    this.fileOf(content, this.ctx.now());
    const head = this.states.head(groupId);
    this.store.addRecipients(
      content.id,
      (head?.members ?? []).filter((m) => m !== from.accountId),
    );
    conversations.touch(groupId, content.sentAt);
    emit({ type: 'message.added', message: messages.get(content.id) as MessageRecord });
    emit({ type: 'conversation.updated', conversationId: groupId });
  }

  /**
   * A file in the group: its key is stored with the message and it is fetched after this
   * transaction commits, as for a 1:1 file (attachments/attachment-transfers.ts).
   */
  private fileOf(content: Extract<Content, { kind: 'text' | 'attachment' }>, now: number): void {
    if (content.kind !== 'attachment') return;
    queueIncomingFile(this.ctx, content.id, content.attachment, now);
  }

  /** Receipts for our messages in groups: per member, and the message's status once all have. */
  receipt(
    content: Extract<Content, { kind: 'receipt' }>,
    from: GroupContentSource,
    emit: Emit,
  ): void {
    const { messages, conversations } = this.ctx.repos;
    const now = this.ctx.now();
    for (const id of content.messageIds) {
      const message = messages.get(id);
      if (!message || message.direction !== 'outgoing') continue;
      if (conversations.get(message.conversationId)?.kind !== 'group') continue;
      if (content.receipt === 'read') this.store.markRead(id, from.accountId, now);
      else this.store.markDelivered(id, from.accountId, now);
      const counts = this.store.receiptCounts(id);
      const status =
        counts.recipients > 0 && counts.read === counts.recipients
          ? 'read'
          : counts.recipients > 0 && counts.delivered === counts.recipients
            ? 'delivered'
            : null;
      if (status && messages.updateStatus(id, status)) {
        emit({
          type: 'message.status',
          conversationId: message.conversationId,
          messageId: id,
          status,
          failureReason: null,
        });
      }
      emit({ type: 'message.updated', message: messages.get(id) as MessageRecord });
    }
  }

  /** Whether the sender is a member of the group's current state and so is this account. */
  private memberHere(groupId: string, sender: string): boolean {
    const group = this.store.group(groupId);
    const head = this.states.head(groupId);
    return (
      group !== null &&
      group.leftAt === null &&
      head !== null &&
      head.members.includes(sender) &&
      head.members.includes(this.ctx.account.accountId)
    );
  }
}
