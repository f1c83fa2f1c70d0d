/**
 * Where the "unread" divider goes when a conversation opens: before the earliest of the messages
 * that were unread then (the summary's count of incoming messages not yet read). Notices and the
 * user's own messages are never unread.
 */
import type { MessageView } from '../../../shared/ipc/view-schemas.js';

export function firstUnreadId(
  messages: readonly MessageView[],
  unreadCount: number,
): string | null {
  if (unreadCount <= 0) return null;
  let left = unreadCount;
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i]!;
    if (message.direction !== 'incoming' || message.notice) continue;
    left -= 1;
    if (left === 0) return message.id;
  }
  // Fewer loaded than unread (older pages not loaded yet): the divider leads what is loaded.
  return messages.find((m) => m.direction === 'incoming' && !m.notice)?.id ?? null;
}

/** "Jump to latest" with how many arrived below the visible area, for the button and its name. */
export function jumpLabel(newCount: number): string {
  if (newCount <= 0) return 'Jump to latest';
  return `Jump to latest (${newCount} new)`;
}
