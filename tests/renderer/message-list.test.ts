import { describe, expect, it } from 'vitest';
import type { ConversationSummary, MessageView } from '../../shared/ipc/view-schemas.js';
import {
  identityAcknowledged,
  markedRead,
  upsertConversation,
} from '../../renderer/src/logic/conversation-list.js';
import { safetyNumberGroups } from '../../renderer/src/logic/format.js';
import {
  applyStatus,
  mergeMessages,
  newestIncoming,
  removeMessages,
  replyAfterDeletion,
  sendFailedAnnouncement,
} from '../../renderer/src/logic/message-list.js';

const gp = { accountId: 'gp-1', displayName: 'Dr Priya Patel', role: 'clinician' as const };

function message(n: number, overrides: Partial<MessageView> = {}): MessageView {
  return {
    id: `message-${String(n).padStart(4, '0')}`,
    conversationId: 'c1',
    direction: 'outgoing',
    sender: gp,
    text: `text ${n}`,
    sentAt: 1_000 * n,
    receivedAt: null,
    status: 'sent',
    urgent: false,
    replyTo: null,
    ...overrides,
  };
}

const ids = (list: readonly MessageView[]) => list.map((m) => m.id.slice(-4));

describe('message list', () => {
  it('appends new messages, prepends older pages and sorts interleaved ones', () => {
    const page = [message(5), message(6)];
    expect(ids(mergeMessages(page, [message(7)]))).toEqual(['0005', '0006', '0007']);
    expect(ids(mergeMessages(page, [message(2), message(1)]))).toEqual([
      '0001',
      '0002',
      '0005',
      '0006',
    ]);
    expect(
      ids(mergeMessages([message(1), message(3), message(5)], [message(4), message(2)])),
    ).toEqual(['0001', '0002', '0003', '0004', '0005']);
  });

  it('replaces a message it already has instead of duplicating it', () => {
    const merged = mergeMessages([message(1), message(2)], [message(2, { status: 'read' })]);
    expect(merged).toHaveLength(2);
    expect(merged[1]?.status).toBe('read');
    const same = [message(1)];
    expect(mergeMessages(same, [])).toBe(same);
  });

  it('moves a status forward only, except for failures and retries', () => {
    const list = [message(1, { status: 'read' }), message(2, { status: 'failed' })];
    expect(applyStatus(list, message(1).id, 'delivered')).toBe(list);
    expect(applyStatus(list, message(2).id, 'pending')[1]?.status).toBe('pending');
    expect(applyStatus([message(3, { status: 'sent' })], message(3).id, 'read')[0]?.status).toBe(
      'read',
    );
    expect(applyStatus(list, 'message-unknown', 'read')).toBe(list);
  });

  it('keeps the failure reason with a failed status and clears it when the message moves on', () => {
    const reason =
      'The relay could not be reached. Check the network connection, then press Retry.';
    const [failed] = applyStatus(
      [message(1, { status: 'pending' })],
      message(1).id,
      'failed',
      reason,
    );
    expect(failed).toMatchObject({ status: 'failed', failureReason: reason });
    const [retrying] = applyStatus([failed!], message(1).id, 'pending', reason);
    expect(retrying).toMatchObject({ status: 'pending', failureReason: null });
    // A second failure with a new reason replaces the old one; one without a reason keeps it.
    const [again] = applyStatus([failed!], message(1).id, 'failed', 'Refused.');
    expect(again?.failureReason).toBe('Refused.');
    const kept = [failed!];
    expect(applyStatus(kept, message(1).id, 'failed')).toBe(kept);
  });

  it('finds the newest incoming message', () => {
    expect(
      newestIncoming([message(1, { direction: 'incoming' }), message(2), message(3)])?.id,
    ).toBe(message(1).id);
    expect(newestIncoming([message(1)])).toBeNull();
  });

  it('keeps the conversation list in order of last activity', () => {
    const summary = (id: string, at: number): ConversationSummary => ({
      id,
      kind: 'direct',
      title: id,
      participants: [gp],
      unreadCount: 0,
      lastActivityAt: at,
      lastMessageExcerpt: null,
      hasUrgentUnread: false,
      identityChanged: false,
    });
    const list = [summary('a', 30), summary('b', 20), summary('c', 10)];
    expect(upsertConversation(list, summary('c', 40)).map((c) => c.id)).toEqual(['c', 'a', 'b']);
    expect(upsertConversation(list, summary('d', 15)).map((c) => c.id)).toEqual([
      'a',
      'b',
      'd',
      'c',
    ]);
    expect(upsertConversation(list, summary('e', 1)).map((c) => c.id)).toEqual([
      'a',
      'b',
      'c',
      'e',
    ]);
  });

  it('groups a safety number in twelve groups of five', () => {
    const digits = '0123456789'.repeat(6);
    const groups = safetyNumberGroups(digits);
    expect(groups).toHaveLength(12);
    expect(groups.every((g) => g.length === 5)).toBe(true);
    expect(groups.join('')).toBe(digits);
  });
});

describe('role labels', () => {
  it('names each role and copes with one the directory does not know', async () => {
    const { roleLabel } = await import('../../renderer/src/logic/format.js');
    expect(roleLabel('manager')).toBe('Practice manager');
    expect(roleLabel('clinician')).toBe('Clinician');
    expect(roleLabel('unknown')).toBe('Role not known');
    expect(roleLabel('toString')).toBe('Role not known');
  });
});

describe('removeMessages', () => {
  it('drops the deleted ids and keeps the same array when none is on screen', () => {
    const list = [message(1), message(2), message(3)];
    expect(ids(removeMessages(list, ['message-0002', 'message-9999']))).toEqual(['0001', '0003']);
    expect(removeMessages(list, ['message-9999'])).toBe(list);
  });
});

describe('replyAfterDeletion', () => {
  it('drops the reply only when the message replied to was deleted', () => {
    const quoted = message(2);
    expect(replyAfterDeletion(quoted, ['message-0001', 'message-0002'])).toBeNull();
    expect(replyAfterDeletion(quoted, ['message-0003'])).toBe(quoted);
    expect(replyAfterDeletion(null, ['message-0002'])).toBeNull();
  });
});

describe('sendFailedAnnouncement', () => {
  it("speaks main's reason, or says to retry when there is none", () => {
    expect(sendFailedAnnouncement('The relay refused it. Try again later.')).toBe(
      'A message was not sent. The relay refused it. Try again later.',
    );
    expect(sendFailedAnnouncement(null)).toBe(
      'A message was not sent. Press Retry to send it again.',
    );
  });
});

describe('conversation summary changes', () => {
  const summary: ConversationSummary = {
    id: 'c1',
    kind: 'direct',
    title: 'Dr Priya Patel',
    participants: [gp],
    unreadCount: 3,
    lastActivityAt: 5_000,
    lastMessageExcerpt: 'call back',
    hasUrgentUnread: true,
    identityChanged: true,
  };

  it('read clears the unread count and the urgent marker only', () => {
    expect(markedRead(summary)).toEqual({ ...summary, unreadCount: 0, hasUrgentUnread: false });
  });

  it('acknowledging clears the changed safety number only', () => {
    expect(identityAcknowledged(summary)).toEqual({ ...summary, identityChanged: false });
  });
});
