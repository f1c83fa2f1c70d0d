import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MessagingViews } from '../../../../main/core/app/messaging-views.js';
import { RoleMessagesRepository } from '../../../../main/core/db/repositories/role-messages-repository.js';
import { MessagingQueries } from '../../../../main/core/messaging/messaging-queries.js';
import { createWorld, type World } from '../messaging/messaging-harness.js';

// messages.page builds its views per page (replies, files and role tags in one query each,
// each person looked up once); they must be exactly the views `message` gives one at a time.

let world: World;
beforeEach(async () => {
  world = await createWorld();
});
afterEach(async () => {
  await world.cleanup();
});

describe('a page of message views', () => {
  it('is the same as each message viewed on its own: replies, files, role tags, names', async () => {
    const gp = await world.enrol('Dr A Patel');
    const { profile } = gp;
    const { contacts, conversations, messages, attachments } = profile.repositories;
    const peer = 'peer-account-1';
    const start = 1_700_000_000_000;
    contacts.upsert({ accountId: peer, displayName: 'Nurse B Jones', role: 'nurse' }, start);
    const conversation = conversations.getOrCreateDirect(peer, start);
    const add = (i: number, direction: 'incoming' | 'outgoing', sender: string, body: string) =>
      messages.insert({
        id: `message-${i}`,
        conversationId: conversation.id,
        direction,
        senderAccountId: sender,
        body,
        status: direction === 'incoming' ? 'delivered' : 'sent',
        sentAt: start + i * 1000,
        receivedAt: direction === 'incoming' ? start + i * 1000 : null,
        expiresAt: null,
      });
    for (let i = 0; i < 30; i++) {
      add(i, i % 2 ? 'incoming' : 'outgoing', i % 2 ? peer : gp.accountId, `Message ${i}`);
    }
    add(30, 'incoming', 'stranger-account', 'From someone not in the directory');
    new MessagingQueries(profile.db).setReplyTo('message-4', 'message-3');
    new MessagingQueries(profile.db).setReplyTo('message-7', 'message-6');
    attachments.insert({
      messageId: 'message-5',
      direction: 'incoming',
      state: 'downloading',
      fileKey: Buffer.alloc(32, 1),
      sha256: 'a'.repeat(64),
      size: 2048,
      contentType: 'application/pdf',
      fileName: 'discharge.pdf',
      chunkCount: 2,
      relayId: 'relay-blob-1',
      createdAt: start,
    });
    const roles = new RoleMessagesRepository(profile.db);
    roles.insertAlert({
      alertId: 'alert-1',
      direction: 'outgoing',
      ackToken: new Uint8Array(16),
      escalateAt: null,
      escalateToName: null,
      createdAt: start,
    });
    roles.tagMessage({
      messageId: 'message-8',
      roleId: 'duty-doctor',
      roleName: 'Duty doctor',
      escalatedFrom: null,
      alertId: 'alert-1',
    });
    messages.markTranscribed(['message-9'], gp.accountId, start + 20_000);

    const unknown: string[] = [];
    const views = new MessagingViews(profile, (id) => unknown.push(id));
    const page = messages.pageBefore(conversation.id, null, 50);
    const together = views.messages(page);
    const oneByOne = page.map((record) => views.message(record));

    expect(together).toEqual(oneByOne);
    const byId = new Map(together.map((m) => [m.id, m]));
    expect(byId.get('message-4')?.replyTo?.excerpt).toBe('Message 3');
    expect(byId.get('message-5')?.attachment?.name).toBe('discharge.pdf');
    expect(byId.get('message-8')?.role?.recipients).toContain('Nurse B Jones');
    expect(byId.get('message-8')?.role?.ack).not.toBeNull();
    expect(byId.get('message-9')?.transcribed?.byName).toBe('Dr A Patel');
    expect(byId.get('message-1')?.sender.displayName).toBe('Nurse B Jones');
    expect(byId.get('message-30')?.sender.role).toBe('unknown');
    expect(unknown).toContain('stranger-account');
  });
});
