// A kept undecryptable envelope is retried once per start; after the last retry it is given up
// on, never silently: removed, recorded in the audit log, and a notice in the conversation.
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UndecryptableEnvelopesRepository } from '../../../../main/core/db/repositories/undecryptable-envelopes-repository.js';
import { MessagingViews } from '../../../../main/core/app/messaging-views.js';
import { undecryptableDiscardedAction } from '../../../../main/core/messaging/undecryptable-notice.js';
import { createWorld, eventually, type World } from './messaging-harness.js';

let world: World;
beforeEach(async () => {
  world = await createWorld();
});
afterEach(async () => {
  await world.cleanup();
});

describe('giving up on an undecryptable envelope', () => {
  it('after the fifth failed retry: removed, audited, and a notice in the conversation', async () => {
    const reception = await world.enrol('Reception Desk', 'reception');
    const gp = await world.enrol('Dr A Patel');
    const kept = new UndecryptableEnvelopesRepository(gp.profile.db);
    const keep = (relayId: string, clientMessageId: string, attempts: number) => {
      kept.keep({
        relayId,
        senderAccountId: reception.accountId,
        senderDeviceId: 1,
        clientMessageId,
        type: 2,
        content: randomBytes(80),
        clientTimestamp: 1_750_000_000_000,
        serverTimestamp: 1_750_000_000_100,
        lastError: 'libsignal:InvalidMessage',
        receivedAt: 1_750_000_000_200,
      });
      gp.profile.db
        .prepare('UPDATE undecryptable_envelopes SET attempts = ? WHERE relay_id = ?')
        .run(attempts, relayId);
    };
    keep('relay-last-try', 'lostmessage01.7', 4);
    keep('relay-early', 'lostmessage02.8', 1);

    await gp.core.refreshDirectory();
    gp.core.start();
    const keptNow = () =>
      new UndecryptableEnvelopesRepository(gp.profile.db).all().map((k) => [k.relayId, k.attempts]);
    await eventually(() => keptNow().length === 1, 'the first start retried both');
    expect(keptNow()).toEqual([['relay-early', 2]]);
    const conversation = gp.profile.repositories.conversations.findDirect(reception.accountId)!;
    const [notice] = gp.profile.repositories.messages.pageBefore(conversation.id, null, 10);
    expect(notice).toMatchObject({
      kind: 'notice',
      body: expect.stringMatching(/^A message from Reception Desk could not be decrypted/),
      sentAt: 1_750_000_000_000,
    });
    expect(new MessagingViews(gp.profile).message(notice!)).toMatchObject({ notice: true });
    expect(gp.profile.repositories.audit.list()).toContainEqual(
      expect.objectContaining({
        action: undecryptableDiscardedAction,
        conversationId: conversation.id,
        messageIds: ['lostmessage01'],
        details: expect.objectContaining({ sender: reception.accountId, attempts: 5 }),
      }),
    );
    expect(gp.seen).toContainEqual(
      expect.objectContaining({ type: 'message.added', message: notice }),
    );
    // Reading the notice marks it read, but sends the peer no receipt: they never sent it.
    const receiptsBefore = gp.profile.repositories.outbox.all().filter((o) => o.kind === 'receipt');
    expect(await gp.core.actions.markRead(conversation.id, notice!.id)).toEqual([notice!.id]);
    expect(gp.profile.repositories.messages.get(notice!.id)?.readAt).not.toBeNull();
    expect(gp.profile.repositories.outbox.all().filter((o) => o.kind === 'receipt')).toHaveLength(
      receiptsBefore.length,
    );

    // Later starts: the other one reaches its last retry too, and nothing is left behind.
    for (const attempts of [3, 4]) {
      await gp.reopen();
      gp.core.start();
      await eventually(() => keptNow()[0]?.[1] === attempts, `retry ${attempts}`);
    }
    await gp.reopen();
    gp.core.start();
    await eventually(() => keptNow().length === 0, 'the last retry gave up');
    expect(
      gp.profile.repositories.messages
        .pageBefore(conversation.id, null, 10)
        .filter((m) => m.kind === 'notice'),
    ).toHaveLength(2);
  });
});
