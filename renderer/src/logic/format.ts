/** Display text for times, roles, statuses and safety numbers. */
import type { MessageStatus } from '../../../shared/ipc/view-schemas.js';
import { localDayKey } from './timeline-rows.js';

const timeFormat = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit' });
const shortDateFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short' });

export function formatTime(time: number): string {
  return timeFormat.format(new Date(time));
}

/** For the conversation list: the time today, else the date. */
export function formatActivity(time: number, now: number): string {
  return localDayKey(time) === localDayKey(now)
    ? formatTime(time)
    : shortDateFormat.format(new Date(time));
}

/** A role in words, from the one table the record entry uses too (shared/role-labels.ts). */
export { roleLabel } from '../../../shared/role-labels.js';

export const statusLabels: Readonly<Record<MessageStatus, string>> = {
  pending: 'Sending…',
  sent: 'Sent',
  delivered: 'Delivered',
  read: 'Read',
  failed: 'Not sent',
};

/** 60 digits as 12 groups of 5, the way both people read them to each other. */
export function safetyNumberGroups(digits: string): string[] {
  const groups: string[] = [];
  for (let i = 0; i < digits.length; i += 5) groups.push(digits.slice(i, i + 5));
  return groups;
}

const whenFormat = new Intl.DateTimeFormat('en-GB', {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
});

/** A moment that may not be today: "Tue 3 Mar, 18:00". */
export function formatWhen(time: number): string {
  return whenFormat.format(new Date(time));
}
