import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeContent } from '../../../../main/core/messaging/content-codec.js';
import { markReadSlice } from '../../../../main/core/messaging/outgoing-actions.js';
import { createWorld, type Staff, type World } from './messaging-harness.js';

// Marking read goes in slices of markReadSlice messages, one transaction each (issue 18). These
// store more than two slices of unread messages straight into a profile (the core is not
// started, so what markRead queues stays in the outbox to be read back).

let world: World;
beforeEach(async () => {
  world = await createWorld();
});
afterEach(async () => {
  await world.cleanup();
});

const count = markReadSlice * 3 + 203;
const start = 1_700_000_000_000;
const idOf = (i: number) => `incoming-${String(i).padStart(6, '0')}`;

/** `count` messages: every 3rd ours, every 50th a notice, the rest the peers' (round robin). */
function seed(gp: Staff, conversationId: string, senders: readonly string[]): void {
  const { messages } = gp.profile.repositories;
  for (let i = 0; i < count; i++) {
    const incoming = i % 3 !== 0;
    messages.insert({
      id: idOf(i),
      conversationId,
      direction: incoming ? 'incoming' : 'outgoing',
      senderAccountId: incoming ? (senders[i % senders.length] as string) : gp.accountId,
      body: `Message ${i}`,
      kind: i % 50 === 1 ? 'notice' : 'text',
      status: incoming ? 'delivered' : 'sent',
      sentAt: start + i * 1000,
      receivedAt: incoming ? start + i * 1000 : null,
      expiresAt: null,
    });
  }
}

function queued(gp: Staff) {
  return gp.profile.repositories.outbox.all().map((item) => ({
    kind: item.kind,
    to: item.recipientAccountId,
    content: decodeContent(item.payload),
  }));
}

/** Read-receipt ids by recipient, and own-device read-sync ids, in queue order. */
function receiptsAndSync(gp: Staff) {
  const receipts = new Map<string, string[]>();
  const sync: string[] = [];
  for (const item of queued(gp)) {
    const c = item.content;
    if (item.kind === 'receipt' && c.kind === 'receipt' && c.receipt === 'read') {
      expect(c.messageIds.length).toBeLessThanOrEqual(500);
      receipts.set(item.to, [...(receipts.get(item.to) ?? []), ...c.messageIds]);
    } else if (c.kind === 'sync' && c.sync.type === 'read') {
      expect(item.to).toBe(gp.accountId);
      sync.push(...c.sync.messageIds);
    }
  }
  return { receipts, sync };
}

const unreadIds = (gp: Staff, conversationId: string) =>
  gp.profile.repositories.messages
    .pageAfter(conversationId, null, 10_000)
    .filter((m) => m.direction === 'incoming' && m.readAt === null)
    .map((m) => m.id);

describe('marking thousands of messages read, in slices', () => {
  it('marks every unread message up to the one shown, with one receipt and sync per id, and keeps the unread count', async () => {
    const gp = await world.enrol('Dr A Patel');
    const peer = 'peer-account-1';
    const conversation = gp.profile.repositories.conversations.getOrCreateDirect(peer, start);
    seed(gp, conversation.id, [peer]);
    const upTo = count - 100; // an incoming message (count - 100 is not a multiple of 3)
    expect(upTo % 3).not.toBe(0);

    const marked = await gp.core.actions.markRead(conversation.id, idOf(upTo));

    const incoming = (i: number) => i % 3 !== 0;
    const expected = [...Array(upTo + 1).keys()].filter(incoming).map(idOf);
    expect(marked).toEqual(expected);
    expect(marked.length).toBeGreaterThan(markReadSlice * 2);
    const stillUnread = [...Array(count).keys()].filter((i) => i > upTo && incoming(i)).map(idOf);
    expect(unreadIds(gp, conversation.id)).toEqual(stillUnread);
    // Migration 014's triggers kept the count through the set-based updates.
    expect(gp.profile.repositories.messages.countUnread(conversation.id)).toBe(stillUnread.length);
    const read = gp.profile.repositories.messages.get(idOf(upTo));
    expect(read?.status).toBe('read');
    expect(read?.readAt).not.toBeNull();

    const texts = expected.filter((id) => Number(id.slice(9)) % 50 !== 1);
    const { receipts, sync } = receiptsAndSync(gp);
    expect([...receipts.keys()]).toEqual([peer]);
    expect(receipts.get(peer)).toEqual(texts);
    expect(sync).toEqual(texts);

    // Nothing is left to mark: no second receipt.
    const before = gp.profile.repositories.outbox.count();
    expect(await gp.core.actions.markRead(conversation.id, idOf(upTo))).toEqual([]);
    expect(gp.profile.repositories.outbox.count()).toBe(before);
  });

  it('sends each writer of a group the receipts of their own messages', async () => {
    const gp = await world.enrol('Dr A Patel');
    const writers = ['writer-account-1', 'writer-account-2'];
    const group = gp.profile.repositories.conversations.createGroup(
      'Duty team',
      [gp.accountId, ...writers],
      start,
    );
    seed(gp, group.id, writers);

    const marked = await gp.core.actions.markRead(group.id, idOf(count - 1));

    expect(marked.length).toBe([...Array(count).keys()].filter((i) => i % 3 !== 0).length);
    expect(gp.profile.repositories.messages.countUnread(group.id)).toBe(0);
    const { receipts, sync } = receiptsAndSync(gp);
    for (const writer of writers) {
      const theirs = gp.profile.repositories.messages
        .pageAfter(group.id, null, 10_000)
        .filter((m) => m.senderAccountId === writer && m.kind === 'text')
        .map((m) => m.id);
      expect(receipts.get(writer)).toEqual(theirs);
    }
    expect(sync.length).toBe(receipts.get(writers[0]!)!.length + receipts.get(writers[1]!)!.length);
  });

  it('a failure part-way leaves the marked messages with their receipts queued and the rest unread', async () => {
    const gp = await world.enrol('Dr A Patel');
    const peer = 'peer-account-1';
    const conversation = gp.profile.repositories.conversations.getOrCreateDirect(peer, start);
    seed(gp, conversation.id, [peer]);
    const outbox = gp.profile.repositories.outbox;
    const enqueue = outbox.enqueue.bind(outbox);
    let calls = 0;
    // The first slice queues a receipt and a sync; the second slice's receipt fails.
    outbox.enqueue = (item, now) => {
      if (++calls === 3) throw new Error('disk full');
      return enqueue(item, now);
    };

    await expect(gp.core.actions.markRead(conversation.id, idOf(count - 1))).rejects.toThrow();

    const unread = unreadIds(gp, conversation.id);
    const all = [...Array(count).keys()].filter((i) => i % 3 !== 0).map(idOf);
    const readIds = all.filter((id) => !unread.includes(id));
    expect(readIds).toEqual(all.slice(0, markReadSlice));
    expect(gp.profile.repositories.messages.countUnread(conversation.id)).toBe(unread.length);
    const readTexts = readIds.filter((id) => Number(id.slice(9)) % 50 !== 1);
    expect(receiptsAndSync(gp).receipts.get(peer)).toEqual(readTexts);

    // The next open marks the rest.
    outbox.enqueue = enqueue;
    await gp.core.actions.markRead(conversation.id, idOf(count - 1));
    expect(unreadIds(gp, conversation.id)).toEqual([]);
    expect(receiptsAndSync(gp).receipts.get(peer)).toEqual(
      all.filter((id) => Number(id.slice(9)) % 50 !== 1),
    );
  });
});
