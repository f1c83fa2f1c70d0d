import { expiryOfNewMessage } from '../retention/expiry-policy.js';
import type { CoreContext } from './core-context.js';
import type { MessagingEvent } from './messaging-events.js';
import { durationText } from './groups/group-states.js';
import { newMessageId } from './message-ids.js';

type Emit = (event: MessagingEvent) => void;

/**
 * A direct conversation's disappearing timer changed: sets it and, when it really changed, writes
 * the notice both people see ("Dr A Patel set messages to disappear 1 day after they are sent"),
 * as a group's state change does. Runs inside the caller's transaction.
 */
export function applyDirectTimer(
  ctx: CoreContext,
  change: { conversationId: string; byAccountId: string; seconds: number; at: number },
  emit: Emit,
): void {
  const { conversations, contacts, messages } = ctx.repos;
  const previous = conversations.get(change.conversationId)?.disappearingSeconds ?? null;
  const wanted = change.seconds || null;
  conversations.setDisappearingSeconds(change.conversationId, wanted);
  emit({ type: 'conversation.updated', conversationId: change.conversationId });
  if (previous === wanted) return;
  const by =
    change.byAccountId === ctx.account.accountId
      ? 'You'
      : (contacts.get(change.byAccountId)?.displayName ?? 'The other person');
  const now = ctx.now();
  const id = newMessageId(now);
  messages.insert({
    id,
    conversationId: change.conversationId,
    direction: 'incoming',
    senderAccountId: change.byAccountId,
    kind: 'notice',
    body:
      wanted === null
        ? `${by} turned off disappearing messages.`
        : `${by} set messages to disappear ${durationText(wanted)} after they are sent.`,
    status: 'delivered',
    sentAt: change.at,
    receivedAt: now,
    expiresAt: expiryOfNewMessage(ctx.repos, change.conversationId, now),
  });
  conversations.touch(change.conversationId, now);
  const stored = messages.get(id);
  if (stored) emit({ type: 'message.added', message: stored });
}
