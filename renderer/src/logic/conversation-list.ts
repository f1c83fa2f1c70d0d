/** The conversation list in the order the core gives it: most recent activity first. */
import type { ConversationSummary } from '../../../shared/ipc/view-schemas.js';

export function upsertConversation(
  list: readonly ConversationSummary[],
  updated: ConversationSummary,
): ConversationSummary[] {
  const rest = list.filter((c) => c.id !== updated.id);
  const at = (c: ConversationSummary) => c.lastActivityAt ?? 0;
  const index = rest.findIndex((c) => at(c) < at(updated));
  if (index === -1) return [...rest, updated];
  return [...rest.slice(0, index), updated, ...rest.slice(index)];
}

/** Whom a conversation is with, for its title and the safety number screen. */
export function conversationPeers(
  conversation: ConversationSummary,
  selfAccountId: string | null,
): ConversationSummary['participants'] {
  return conversation.participants.filter((p) => p.accountId !== selfAccountId);
}

/** The summary once the conversation is read up to its newest incoming message. */
export function markedRead(conversation: ConversationSummary): ConversationSummary {
  return { ...conversation, unreadCount: 0, hasUrgentUnread: false };
}

/** The summary once the user acknowledged the peers' new safety numbers. */
export function identityAcknowledged(conversation: ConversationSummary): ConversationSummary {
  return { ...conversation, identityChanged: false };
}
