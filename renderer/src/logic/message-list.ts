/**
 * Keeping the open conversation's messages in order as pages, new messages and status changes
 * arrive. Messages are ordered by (sentAt, id) like the core's pages; ids are unique.
 */
import type { MessageStatus, MessageView } from '../../../shared/ipc/view-schemas.js';

function compare(a: MessageView, b: MessageView): number {
  return a.sentAt - b.sentAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Adds or replaces messages, keeping order; returns the same array when nothing changed. */
export function mergeMessages(
  current: readonly MessageView[],
  incoming: readonly MessageView[],
): readonly MessageView[] {
  if (incoming.length === 0) return current;
  const byId = new Map(current.map((m, index) => [m.id, index]));
  const next = current.slice();
  const added: MessageView[] = [];
  for (const message of incoming) {
    const index = byId.get(message.id);
    if (index === undefined) added.push(message);
    else next[index] = message;
  }
  if (added.length === 0) return next;
  added.sort(compare);
  const last = next[next.length - 1];
  const first = added[0];
  // The common cases, appending a new message or prepending an older page, need no full sort.
  if (last === undefined || (first !== undefined && compare(last, first) < 0)) {
    return next.concat(added);
  }
  const lastAdded = added[added.length - 1];
  const head = next[0];
  if (head !== undefined && lastAdded !== undefined && compare(lastAdded, head) < 0) {
    return added.concat(next);
  }
  return next.concat(added).sort(compare);
}

const statusRank: Record<MessageStatus, number> = {
  failed: -1,
  pending: 0,
  sent: 1,
  delivered: 2,
  read: 3,
};

/**
 * Applies a status event. Receipts can arrive out of order, so a status only moves forward
 * (a late "delivered" never undoes "read"); failed and pending move freely for retries. The
 * failure reason belongs to the failed status only: any other status clears it, so a retried
 * message no longer shows why its previous attempt failed.
 */
export function applyStatus(
  current: readonly MessageView[],
  messageId: string,
  status: MessageStatus,
  failureReason: string | null = null,
): readonly MessageView[] {
  const index = current.findIndex((m) => m.id === messageId);
  const message = current[index];
  if (message === undefined) return current;
  const reason = status === 'failed' ? (failureReason ?? message.failureReason ?? null) : null;
  if (message.status === status && (message.failureReason ?? null) === reason) return current;
  const forward = statusRank[status] > statusRank[message.status];
  const retrying = message.status === 'failed' || status === 'failed';
  if (message.status !== status && !forward && !retrying) return current;
  const next = current.slice();
  next[index] = { ...message, status, failureReason: reason };
  return next;
}

/** The newest incoming message, to mark the conversation read up to it. */
export function newestIncoming(messages: readonly MessageView[]): MessageView | null {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (message?.direction === 'incoming') return message;
  }
  return null;
}

/** Drops deleted messages (transcribed, expired, or deleted by their sender). */
export function removeMessages(
  current: readonly MessageView[],
  ids: readonly string[],
): readonly MessageView[] {
  const gone = new Set(ids);
  const next = current.filter((m) => !gone.has(m.id));
  return next.length === current.length ? current : next;
}

/** The message being replied to, unless it was just deleted (a reply must quote what exists). */
export function replyAfterDeletion(
  replyTo: MessageView | null,
  deletedIds: readonly string[],
): MessageView | null {
  return replyTo && deletedIds.includes(replyTo.id) ? null : replyTo;
}

/** What the status line says when a message could not be sent. */
export function sendFailedAnnouncement(failureReason: string | null | undefined): string {
  return `A message was not sent. ${failureReason ?? 'Press Retry to send it again.'}`;
}
