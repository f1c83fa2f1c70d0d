/**
 * What an empty conversation says when its messages were deleted rather than never written: the
 * core keeps no count of deleted messages that the renderer can ask for, so the renderer notes
 * the deletions it sees while the profile is unlocked (they are forgotten at lock, like
 * everything else on screen).
 */
import type { EventPayload } from '../../../shared/ipc/contract.js';

export type DeletionReason = EventPayload<'messages.deleted'>['reason'];
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
export function emptyConversationText(reasons: ReadonlySet<DeletionReason> | undefined): string {
  if (!reasons || reasons.size === 0) return 'No messages yet. Say hello below.';
  return order
    .filter((reason) => reasons.has(reason))
    .map((reason) => reasonSentences[reason])
    .join(' ');
}
