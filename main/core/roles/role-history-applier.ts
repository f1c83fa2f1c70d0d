import { z } from 'zod';
import type { Content } from '../messaging/content-codec.js';
import type { CoreContext } from '../messaging/core-context.js';
import type { MessagingEvent } from '../messaging/messaging-events.js';
import type { MessageRecord } from '../db/repositories/messages-repository.js';
import type { RoleMessagesRepository } from '../db/repositories/role-messages-repository.js';
import { expiryFor, retentionDaysSetting } from '../retention/expiry-policy.js';

/**
 * Stores a role conversation's earlier messages that their sender shared with this new holder
 * (role-history.ts): each in the direct conversation with the sender, at its original time, so
 * the conversation reads in order, marked as history ("Earlier, to Duty doctor → Dr A Patel").
 * Retention counts from when each was first sent, so history never outlives the policy; what is
 * already past it, or already here, is skipped. No receipts and no notifications: the holder was
 * not on duty when these were sent.
 */
export function applyRoleHistory(
  ctx: CoreContext,
  repo: RoleMessagesRepository,
  content: Extract<Content, { kind: 'role-history' }>,
  from: { readonly accountId: string; readonly deviceId: number },
  emit: (event: MessagingEvent) => void,
): void {
  const { messages, conversations, settings } = ctx.repos;
  const now = ctx.now();
  const conversation = conversations.getOrCreateDirect(from.accountId, now);
  const retentionDays =
    settings.get(retentionDaysSetting, z.number().int().positive().nullable()) ?? null;
  let added = 0;
  for (const item of [...content.items].sort((a, b) => a.sentAt - b.sentAt)) {
    if (messages.get(item.id) || messages.wasDeleted(item.id)) continue;
    if (item.alertId && repo.messagesOfAlert(item.alertId).length > 0) continue;
    const expiresAt = expiryFor({
      retentionDays,
      disappearingSeconds: conversations.get(conversation.id)?.disappearingSeconds ?? null,
      storedAt: Math.min(item.sentAt, now),
    });
    if (expiresAt !== null && expiresAt <= now) continue;
    messages.insert({
      id: item.id,
      conversationId: conversation.id,
      direction: 'incoming',
      senderAccountId: from.accountId,
      senderDeviceId: from.deviceId,
      body: item.text,
      urgent: item.urgent === true,
      status: 'delivered',
      sentAt: item.sentAt,
      receivedAt: now,
      expiresAt,
    });
    const withAlert = item.alertId !== undefined && item.ackToken !== undefined;
    if (withAlert) {
      repo.insertAlert({
        alertId: item.alertId as string,
        direction: 'incoming',
        ackToken: Buffer.from(item.ackToken as string, 'base64'),
        escalateAt: null,
        escalateToName: null,
        createdAt: item.sentAt,
      });
    }
    repo.tagMessage({
      messageId: item.id,
      roleId: content.role.roleId,
      roleName: content.role.name,
      escalatedFrom: null,
      alertId: withAlert ? (item.alertId as string) : null,
      historyTo: item.to.join(', '),
    });
    added += 1;
    emit({ type: 'message.added', message: messages.get(item.id) as MessageRecord });
  }
  if (added > 0) {
    conversations.touch(conversation.id, now);
    emit({ type: 'conversation.updated', conversationId: conversation.id });
  }
  ctx.logger.info('role_history_received', { items: content.items.length, added });
}
