/**
 * What an empty conversation says when its messages were deleted rather than never written. The
 * conversation summary carries the core's count of deleted messages and why (from their
 * tombstones, so it survives a lock); the deletions seen while unlocked are added to it because
 * not every deletion is followed by a fresh summary (a retention sweep sends none).
 */
import type { EventPayload } from '../../../shared/ipc/contract.js';
import type { ConversationSummary, DeletionReason } from '../../../shared/ipc/view-schemas.js';
export type DeletionsSeen = ReadonlyMap<string, ReadonlySet<DeletionReason>>;

export function noteDeletion(
  seen: DeletionsSeen,
  event: EventPayload<'messages.deleted'>,
): DeletionsSeen {
  const reasons = seen.get(event.conversationId);
  if (event.messageIds.length === 0 || reasons?.has(event.reason)) return seen;
  const next = new Map(seen);
  next.set(event.conversationId, new Set([...(reasons ?? []), event.reason]));
  return next;
}

const reasonSentences: Record<DeletionReason, string> = {
  transcribed: 'Messages here were transcribed into the patient record and then deleted.',
  sender: 'Messages here were removed by their sender.',
  expired: "Messages here were deleted at the end of your practice's retention period.",
};
const order: readonly DeletionReason[] = ['transcribed', 'sender', 'expired'];

/** The text of a conversation with no messages on screen. */
export function emptyConversationText(
  deleted: ConversationSummary['deletedMessages'],
  seen: ReadonlySet<DeletionReason> | undefined,
): string {
  const reasons = new Set([...(deleted?.reasons ?? []), ...(seen ?? [])]);
  if (reasons.size === 0) {
    return deleted
      ? 'Messages in this conversation were deleted.'
      : 'No messages yet. Say hello below.';
  }
  return order
    .filter((reason) => reasons.has(reason))
    .map((reason) => reasonSentences[reason])
    .join(' ');
}
