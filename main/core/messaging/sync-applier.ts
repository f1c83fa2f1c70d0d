import type { MessageRecord } from '../db/repositories/messages-repository.js';
import { expiryOfNewMessage } from '../retention/expiry-policy.js';
import type { Content, SyncEvent } from './content-codec.js';
import type { CoreContext } from './core-context.js';
import { queueIncomingFile } from './attachments/queue-incoming-file.js';
import { applyDirectTimer } from './timer-notice.js';
import type { MessagingEvent } from './messaging-events.js';
import { applyEarlyReceipts } from './early-receipts.js';
import { applyHistory } from './history-transfer.js';
import { writeTranscribedMarkers } from './transcribed-markers.js';

type Emit = (event: MessagingEvent) => void;
type SyncContent = Extract<Content, { kind: 'sync' }>;

/**
 * Applies what another of the person's own devices did (own-device-sync.ts), inside the receive
 * transaction. The caller has checked that the content came from the person's own account;
 * nothing here sends anything back to the peer, which the other device has already done.
 */
export function applySync(ctx: CoreContext, content: SyncContent, fromDevice: number, emit: Emit) {
  const { peer, sync } = content;
  if (sync.type === 'device-removed') {
    removedSibling(ctx, sync.deviceId, fromDevice, emit);
    return;
  }
  if (peer === ctx.account.accountId) return;
  const now = ctx.now();
  // `peer` names a group conversation for what happened in a group (read, deleted there).
  const group = ctx.repos.conversations.get(peer);
  const conversation =
    group?.kind === 'group' ? group : ctx.repos.conversations.getOrCreateDirect(peer, now);
  const inConversation = (ids: readonly string[]) =>
    ids
      .map((id) => ctx.repos.messages.get(id))
      .filter((m): m is MessageRecord => m !== null && m.conversationId === conversation.id);
  switch (sync.type) {
    case 'sent':
      sent(ctx, conversation.id, peer, sync, fromDevice, emit);
      return;
    case 'history':
      applyHistory(ctx, conversation.id, peer, sync.messages, fromDevice, emit);
      return;
    case 'read': {
      const unread = inConversation(sync.messageIds).filter(
        (m) => m.direction === 'incoming' && m.readAt === null,
      );
      ctx.repos.messages.markRead(
        unread.map((m) => m.id),
        now,
      );
      for (const m of unread) ctx.repos.messages.updateStatus(m.id, 'read');
      if (unread.length > 0)
        emit({ type: 'conversation.updated', conversationId: conversation.id });
      return;
    }
    case 'deleted': {
      // Ids not stored here are tombstoned too, so a late copy is not stored again.
      const ids = sync.messageIds.filter((id) => {
        const message = ctx.repos.messages.get(id);
        return message === null || message.conversationId === conversation.id;
      });
      const markers =
        sync.reason === 'transcribed'
          ? writeTranscribedMarkers(ctx.repos, {
              conversationId: conversation.id,
              messageIds: ids,
              transcribedBy: ctx.account.accountId,
              transcribedAt: sync.transcribedAt ?? now,
              now,
            })
          : [];
      for (const id of ids) ctx.repos.outbox.removeForMessage(id);
      ctx.repos.messages.delete(ids, now, sync.reason);
      ctx.repos.audit.append({
        at: now,
        actorAccountId: ctx.account.accountId,
        action: 'messages_deleted_for_everyone',
        conversationId: conversation.id,
        messageIds: ids,
        details: { reason: sync.reason, origin: 'own_device', deviceId: fromDevice },
      });
      emit({
        type: 'message.deleted',
        conversationId: conversation.id,
        messageIds: ids,
        reason: sync.reason,
      });
      for (const marker of markers) emit({ type: 'message.added', message: marker });
      emit({ type: 'conversation.updated', conversationId: conversation.id });
      return;
    }
    case 'transcribed': {
      const stored = inConversation(sync.messageIds);
      ctx.repos.messages.markTranscribed(
        stored.map((m) => m.id),
        ctx.account.accountId,
        sync.transcribedAt,
      );
      const { deleteAt } = sync;
      if (deleteAt !== undefined) {
        // Never postpone an earlier expiry (retention policy or a disappearing timer).
        ctx.repos.messages.setExpiry(
          stored.filter((m) => m.expiresAt === null || m.expiresAt > deleteAt).map((m) => m.id),
          deleteAt,
        );
      }
      for (const m of stored) {
        const updated = ctx.repos.messages.get(m.id);
        if (updated) emit({ type: 'message.updated', message: updated });
      }
      return;
    }
    case 'identity-acknowledged': {
      if (ctx.stores.identity.acknowledgeKeys(peer, sync.identityKeys) === 0) return;
      if (ctx.stores.identity.remoteIdentity(peer)?.trust === 'changed') return;
      ctx.repos.conversations.clearIdentityChanged(conversation.id);
      ctx.repos.audit.append({
        at: now,
        actorAccountId: ctx.account.accountId,
        action: 'identity_acknowledged',
        conversationId: conversation.id,
        details: { accountId: peer, origin: 'own_device', deviceId: fromDevice },
      });
      // Controls held back while blocked can go now.
      ctx.queries.retryAllNow(now);
      ctx.kickOutbox();
      emit({ type: 'conversation.updated', conversationId: conversation.id });
      return;
    }
    case 'disappearing-timer':
      applyDirectTimer(
        ctx,
        {
          conversationId: conversation.id,
          byAccountId: ctx.account.accountId,
          seconds: sync.seconds,
          at: ctx.now(),
        },
        emit,
      );
      return;
  }
}

/**
 * Another of the person's devices removed one of theirs (own-devices.ts): this device stops
 * encrypting to it at once and tells the renderer, so an open device list is read again.
 */
function removedSibling(ctx: CoreContext, deviceId: number, fromDevice: number, emit: Emit) {
  const { accountId } = ctx.account;
  if (deviceId === ctx.account.deviceId) return; // the relay tells this device itself (wipe)
  ctx.stores.session.deleteSession(accountId, deviceId);
  ctx.stores.identity.forgetDevice(accountId, deviceId);
  ctx.ownDevices.siblings.delete(deviceId);
  ctx.logger.info('own_device_removed_elsewhere', { deviceId, byDeviceId: fromDevice });
  emit({ type: 'devices.changed' });
}

/** A message the person sent from another device: stored as theirs, already sent. */
function sent(
  ctx: CoreContext,
  conversationId: string,
  peer: string,
  sync: Extract<SyncEvent, { type: 'sent' }>,
  fromDevice: number,
  emit: Emit,
) {
  const { messages, conversations } = ctx.repos;
  if (messages.get(sync.messageId) || messages.wasDeleted(sync.messageId)) return;
  if (sync.text === undefined && !sync.attachment) {
    ctx.logger.warn('sync_sent_empty', { fromDevice });
    return;
  }
  messages.insert({
    id: sync.messageId,
    conversationId,
    direction: 'outgoing',
    senderAccountId: ctx.account.accountId,
    senderDeviceId: fromDevice,
    body: sync.text ?? '',
    urgent: sync.urgent === true,
    status: 'sent',
    sentAt: sync.sentAt,
    receivedAt: ctx.now(),
    // Counted from when it was sent, as on the device that sent it.
    expiresAt: expiryOfNewMessage(ctx.repos, conversationId, sync.sentAt),
  });
  if (sync.replyTo) ctx.queries.setReplyTo(sync.messageId, sync.replyTo);
  if (sync.attachment) {
    // Sent by me, fetched here like a received file.
    queueIncomingFile(ctx, sync.messageId, sync.attachment, ctx.now());
  }
  conversations.touch(conversationId, sync.sentAt);
  emit({ type: 'message.added', message: messages.get(sync.messageId) as MessageRecord });
  applyEarlyReceipts(ctx, conversationId, sync.messageId, peer, emit);
  emit({ type: 'conversation.updated', conversationId });
}
