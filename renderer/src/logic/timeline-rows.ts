/**
 * The rows of a conversation view: messages in order with a day separator whenever the local
 * calendar day changes, and the sender shown only when it differs from the row above (or a new
 * day starts), so a run of messages from one person reads as one block. A notice this device
 * wrote is a row of its own kind: nobody said it, so it neither joins nor continues a run.
 */
import type { MessageView } from '../../../shared/ipc/view-schemas.js';

export type TimelineRow =
  | { kind: 'day'; key: string; label: string }
  | { kind: 'message'; key: string; message: MessageView; showSender: boolean }
  | { kind: 'notice'; key: string; message: MessageView }
  | { kind: 'unread'; key: string };

const dayFormat = new Intl.DateTimeFormat('en-GB', {
  weekday: 'long',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
});

/** Local calendar day as a sortable key: 2025-03-07. */
export function localDayKey(time: number): string {
  const date = new Date(time);
  const month = String(date.getMonth() + 1).padStart(2, '0');
  const day = String(date.getDate()).padStart(2, '0');
  return `${date.getFullYear()}-${month}-${day}`;
}

/** "Today", "Yesterday", or "Friday 7 March 2025". */
export function dayLabel(time: number, now: number): string {
  const key = localDayKey(time);
  if (key === localDayKey(now)) return 'Today';
  const yesterday = new Date(now);
  yesterday.setDate(yesterday.getDate() - 1);
  if (key === localDayKey(yesterday.getTime())) return 'Yesterday';
  return dayFormat.format(new Date(time)).replace(',', '');
}

/** `unreadFromId`: the first message that was unread when the conversation opened (a divider). */
export function buildTimelineRows(
  messages: readonly MessageView[],
  now: number,
  unreadFromId: string | null = null,
): TimelineRow[] {
  const rows: TimelineRow[] = [];
  let previousDay = '';
  let previousSender = '';
  for (const message of messages) {
    const day = localDayKey(message.sentAt);
    const newDay = day !== previousDay;
    if (newDay) {
      rows.push({ kind: 'day', key: `day:${day}`, label: dayLabel(message.sentAt, now) });
      previousDay = day;
    }
    const unreadStarts = message.id === unreadFromId;
    if (unreadStarts) rows.push({ kind: 'unread', key: 'unread' });
    if (message.notice) {
      rows.push({ kind: 'notice', key: message.id, message });
      previousSender = '';
      continue;
    }
    const sender = `${message.direction}:${message.sender.accountId}`;
    rows.push({
      kind: 'message',
      key: message.id,
      message,
      showSender: newDay || unreadStarts || sender !== previousSender,
    });
    previousSender = sender;
  }
  return rows;
}

/**
 * A row's height before it is measured, only to place rows until then: roughly one line per 70
 * characters of a message (90 for a notice), plus the sender, the transcribed marker and the
 * failure box when the row shows them.
 */
export function estimateRowHeight(row: TimelineRow): number {
  if (row.kind === 'day') return 44;
  if (row.kind === 'unread') return 36;
  if (row.kind === 'notice') return 36 + 22 * Math.ceil(row.message.text.length / 90);
  return (
    58 +
    (row.showSender ? 24 : 0) +
    (row.message.transcribed ? 22 : 0) +
    (row.message.status === 'failed' ? 48 : 0) +
    22 * Math.ceil(row.message.text.length / 70)
  );
}
