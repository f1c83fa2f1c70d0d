import { describe, expect, it } from 'vitest';
import type { MessageView } from '../../shared/ipc/view-schemas.js';
import {
  buildTimelineRows,
  dayLabel,
  estimateRowHeight,
  localDayKey,
} from '../../renderer/src/logic/timeline-rows.js';

const reception = {
  accountId: 'reception-1',
  displayName: 'Sam Jones',
  role: 'reception' as const,
};
const gp = { accountId: 'gp-1', displayName: 'Dr Priya Patel', role: 'clinician' as const };

function message(id: string, sentAt: Date, from: 'in' | 'out'): MessageView {
  return {
    id: `message-${id}`,
    conversationId: 'c1',
    direction: from === 'in' ? 'incoming' : 'outgoing',
    sender: from === 'in' ? gp : reception,
    text: `text ${id}`,
    sentAt: sentAt.getTime(),
    receivedAt: null,
    status: 'sent',
    urgent: false,
    replyTo: null,
  };
}

describe('timeline rows', () => {
  const now = new Date(2025, 2, 7, 15, 0).getTime(); // Friday 7 March 2025, local time

  it('labels today, yesterday and older days in words', () => {
    expect(dayLabel(new Date(2025, 2, 7, 0, 1).getTime(), now)).toBe('Today');
    expect(dayLabel(new Date(2025, 2, 6, 23, 59).getTime(), now)).toBe('Yesterday');
    expect(dayLabel(new Date(2025, 2, 3, 9, 0).getTime(), now)).toBe('Monday 3 March 2025');
    expect(localDayKey(new Date(2025, 0, 5, 12).getTime())).toBe('2025-01-05');
  });

  it('puts a separator before the first message of each local day', () => {
    const rows = buildTimelineRows(
      [
        message('a', new Date(2025, 2, 6, 23, 58), 'out'),
        message('b', new Date(2025, 2, 6, 23, 59), 'in'),
        message('c', new Date(2025, 2, 7, 0, 0), 'in'),
        message('d', new Date(2025, 2, 7, 9, 0), 'in'),
      ],
      now,
    );
    expect(
      rows.map((r) => (r.kind === 'day' ? r.label : r.kind === 'unread' ? r.kind : r.message.id)),
    ).toEqual(['Yesterday', 'message-a', 'message-b', 'Today', 'message-c', 'message-d']);
  });

  it('shows the sender on a change of sender or day, not on a run from one person', () => {
    const rows = buildTimelineRows(
      [
        message('a', new Date(2025, 2, 7, 9, 0), 'in'),
        message('b', new Date(2025, 2, 7, 9, 1), 'in'),
        message('c', new Date(2025, 2, 7, 9, 2), 'out'),
        message('d', new Date(2025, 2, 7, 9, 3), 'in'),
      ],
      now,
    );
    const shown = rows.flatMap((r) => (r.kind === 'message' ? [r.showSender] : []));
    expect(shown).toEqual([true, false, true, true]);
  });

  it('makes a notice a row of its own kind, which does not continue a run from its "sender"', () => {
    const notice = {
      ...message('n', new Date(2025, 2, 7, 9, 1), 'in'),
      text: 'A message from Dr Priya Patel could not be decrypted and has been removed.',
      notice: true,
    };
    const rows = buildTimelineRows(
      [
        message('a', new Date(2025, 2, 7, 9, 0), 'in'),
        notice,
        message('b', new Date(2025, 2, 7, 9, 2), 'in'),
      ],
      now,
    );
    expect(rows.map((r) => r.kind)).toEqual(['day', 'message', 'notice', 'message']);
    expect(rows[2]).toMatchObject({ key: 'message-n', message: { notice: true } });
    // Nobody said the notice, so the message after it starts a new block with its sender.
    const shown = rows.flatMap((r) => (r.kind === 'message' ? [r.showSender] : []));
    expect(shown).toEqual([true, true]);
  });

  it('gives every row a unique key', () => {
    const rows = buildTimelineRows(
      Array.from({ length: 500 }, (_, i) =>
        message(
          String(i).padStart(4, '0'),
          new Date(2025, 0, 1 + Math.floor(i / 50), 9, i % 50),
          'in',
        ),
      ),
      now,
    );
    expect(new Set(rows.map((r) => r.key)).size).toBe(rows.length);
    expect(rows.filter((r) => r.kind === 'day')).toHaveLength(10);
  });

  it('returns no rows for no messages', () => {
    expect(buildTimelineRows([], now)).toEqual([]);
  });
});

describe('the unread divider', () => {
  const now = new Date(2025, 2, 7, 15, 0).getTime();
  it('goes before the first unread message, which starts a new run with its sender shown', () => {
    const rows = buildTimelineRows(
      [
        message('a', new Date(2025, 2, 7, 9, 0), 'in'),
        message('b', new Date(2025, 2, 7, 9, 1), 'in'),
        message('c', new Date(2025, 2, 7, 9, 2), 'in'),
      ],
      now,
      'message-b',
    );
    expect(rows.map((r) => (r.kind === 'message' ? r.message.id : r.kind))).toEqual([
      'day',
      'message-a',
      'unread',
      'message-b',
      'message-c',
    ]);
    const b = rows[3];
    expect(b?.kind === 'message' && b.showSender).toBe(true);
    expect(estimateRowHeight({ kind: 'unread', key: 'unread' })).toBe(36);
  });
  it('is absent when nothing was unread', () => {
    const rows = buildTimelineRows([message('a', new Date(2025, 2, 7, 9, 0), 'in')], now, null);
    expect(rows.some((r) => r.kind === 'unread')).toBe(false);
  });
});

describe('estimateRowHeight', () => {
  const at = new Date(2025, 2, 7, 9, 0);
  const row = (overrides: Partial<MessageView>, showSender = false) => ({
    kind: 'message' as const,
    key: 'k',
    message: { ...message('0001', at, 'in'), ...overrides },
    showSender,
  });

  it('grows with the text, one line per 70 characters', () => {
    const one = estimateRowHeight(row({ text: 'x'.repeat(70) }));
    expect(estimateRowHeight(row({ text: 'x'.repeat(71) }))).toBe(one + 22);
    expect(estimateRowHeight(row({ text: 'x'.repeat(140) }))).toBe(one + 22);
  });

  it('makes room for the sender, the transcribed marker and the failure box', () => {
    const plain = estimateRowHeight(row({}));
    expect(estimateRowHeight(row({}, true))).toBe(plain + 24);
    expect(estimateRowHeight(row({ status: 'failed' }))).toBe(plain + 48);
    const transcribed = { byName: 'Dr Priya Patel', at: 1, deletesAt: null };
    expect(estimateRowHeight(row({ transcribed }))).toBe(plain + 22);
  });

  it('gives day separators and notices their own heights', () => {
    expect(estimateRowHeight({ kind: 'day', key: 'd', label: 'Today' })).toBe(44);
    const notice = { ...message('0002', at, 'in'), text: 'x'.repeat(91) };
    expect(estimateRowHeight({ kind: 'notice', key: 'n', message: notice })).toBe(36 + 44);
  });
});
