import type { UndecryptableEnvelope } from '../db/repositories/undecryptable-envelopes-repository.js';
import type { MessageRecord } from '../db/repositories/messages-repository.js';
import type { CoreContext } from './core-context.js';
import type { MessagingEvent } from './messaging-events.js';
import { messageIdOfClientMessageId, newMessageId } from './message-ids.js';
import { expiryOfNewMessage } from '../retention/expiry-policy.js';

export const undecryptableDiscardedAction = 'undecryptable_envelope_discarded';

/**
 * Gives up on a kept envelope after its last retry, never silently: inside the caller's
 * transaction it deletes the ciphertext, records an audit entry (ids and the failure, no
 * content) and writes a notice into the conversation with the sender, so the reader knows a
 * message from them is missing and can ask for it again.
 */
export function giveUpOnEnvelope(
  ctx: CoreContext,
  kept: UndecryptableEnvelope,
  emit: (event: MessagingEvent) => void,
): void {
  const now = ctx.now();
  const { conversations, contacts, messages, audit } = ctx.repos;
  const conversation = conversations.getOrCreateDirect(kept.senderAccountId, now);
  const name = contacts.get(kept.senderAccountId)?.displayName ?? 'someone not in the directory';
  const noticeId = newMessageId(now);
  messages.insert({
    id: noticeId,
    conversationId: conversation.id,
    direction: 'incoming',
    senderAccountId: kept.senderAccountId,
    kind: 'notice',
    body:
      `A message from ${name} could not be decrypted and has been removed. ` +
      `If you are expecting something from them, ask them to send it again.`,
    status: 'delivered',
    sentAt: kept.clientTimestamp ?? kept.serverTimestamp,
    receivedAt: now,
    expiresAt: expiryOfNewMessage(ctx.repos, conversation.id, now),
  });
  conversations.touch(conversation.id, now);
  ctx.undecryptable.remove(kept.relayId);
  const lost = messageIdOfClientMessageId(kept.clientMessageId);
  audit.append({
    at: now,
    actorAccountId: null,
    action: undecryptableDiscardedAction,
    conversationId: conversation.id,
    messageIds: lost ? [lost] : [],
    details: {
      sender: kept.senderAccountId,
      senderDevice: kept.senderDeviceId,
      attempts: kept.attempts,
      lastError: kept.lastError,
      notice: noticeId,
    },
  });
  ctx.logger.warn('undecryptable_envelope_discarded', {
    relayId: kept.relayId,
    attempts: kept.attempts,
  });
  emit({ type: 'message.added', message: messages.get(noticeId) as MessageRecord });
  emit({ type: 'conversation.updated', conversationId: conversation.id });
}
