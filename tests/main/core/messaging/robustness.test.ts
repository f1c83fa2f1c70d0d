import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../../server/log.js';
import { startRelay, type RunningRelay } from '../../../../server/relay.js';
import { createWorld, eventually, type World } from './messaging-harness.js';

let world: World;
beforeEach(async () => {
  world = await createWorld();
});
afterEach(async () => {
  await world.cleanup();
});

/** The same relay (data and port) again, as after a restart of the relay process. */
async function restartRelay(previous: RunningRelay, dataDir: string): Promise<RunningRelay> {
  await previous.close();
  return startRelay({
    dataDir,
    host: '127.0.0.1',
    port: previous.port,
    logger: silentLogger,
    limits: { anonymousBurst: 1000, anonymousPerSecond: 1000 },
  });
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => path.join(dir, f))
    .filter((f) => statSync(f).isFile());
}

describe('messaging robustness', () => {
  it('an offline recipient receives everything later, in order, once', async () => {
    const reception = await world.enrol('Reception Desk', 'reception');
    const gp = await world.enrol('Dr A Patel');
    reception.core.start();
    const sent: { id: string }[] = [];
    for (let i = 0; i < 30; i += 1) sent.push(await reception.sendTo(gp, `message ${i}`));
    await eventually(
      () => sent.every((m) => reception.profile.repositories.messages.get(m.id)?.status === 'sent'),
      'all sent while the GP is offline',
    );
    expect(gp.texts(reception)).toEqual([]);
    gp.core.start();
    await eventually(() => gp.texts(reception).length === 30, 'all received');
    expect(gp.texts(reception)).toEqual(sent.map((_, i) => `message ${i}`));
    // Acked envelopes are gone from the relay: a restart of the GP's core receives nothing again.
    await gp.reopen();
    gp.core.start();
    await gp.core.events.next('queue.drained');
    expect(gp.texts(reception)).toHaveLength(30);
    await eventually(
      () =>
        sent.every(
          (m) => reception.profile.repositories.messages.get(m.id)?.status === 'delivered',
        ),
      'delivered receipts for all',
    );
  });

  it('a relay restart mid-stream loses nothing', async () => {
    const reception = await world.enrol('Reception Desk', 'reception');
    const gp = await world.enrol('Dr A Patel');
    reception.core.start();
    gp.core.start();
    const texts = Array.from({ length: 40 }, (_, i) => `stream ${i}`);
    const sending = (async () => {
      for (const text of texts) {
        await reception.sendTo(gp, text);
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    await eventually(() => gp.texts(reception).length >= 5, 'stream under way');
    world.relay.relay = await restartRelay(world.relay.relay, world.relay.dataDir);
    await sending;
    await eventually(
      () => gp.texts(reception).length === texts.length,
      'everything after restart',
      30_000,
    );
    expect([...gp.texts(reception)].sort()).toEqual([...texts].sort());
    expect(gp.core.connectionState).toBe('online');
  });

  it('with the relay unreachable messages stay pending, then go when it returns', async () => {
    const reception = await world.enrol('Reception Desk', 'reception');
    const gp = await world.enrol('Dr A Patel');
    // Sessions exist before the outage, so sending needs nothing but the relay.
    await reception.core.safetyNumber(gp.accountId);
    reception.core.start();
    gp.core.start();
    const { relay, dataDir } = world.relay;
    await relay.close();
    await eventually(() => reception.core.connectionState !== 'online', 'offline noticed');
    const waiting = await reception.sendTo(gp, 'sent during the outage');
    await new Promise((r) => setTimeout(r, 700));
    const during = reception.profile.repositories.messages.get(waiting.id);
    expect(during?.status).toBe('pending');
    expect(reception.profile.repositories.outbox.all()[0]?.attempts).toBeGreaterThan(0);
    world.relay.relay = await startRelay({
      dataDir,
      host: '127.0.0.1',
      port: relay.port,
      logger: silentLogger,
    });
    await eventually(
      () => gp.texts(reception).includes('sent during the outage'),
      'delivered after outage',
      30_000,
    );
    expect(reception.profile.repositories.messages.get(waiting.id)?.status).not.toBe('pending');
    expect(
      reception.seen.some((e) => e.type === 'connection.changed' && e.state === 'offline'),
    ).toBe(true);
  });

  it('a replaced PC (old device revoked, new one enrolled) is a new device: a notice, not a block', async () => {
    const reception = await world.enrol('Reception Desk', 'reception');
    const gp = await world.enrol('Dr A Patel');
    reception.core.start();
    gp.core.start();
    await reception.sendTo(gp, 'before');
    await eventually(() => gp.texts(reception).length === 1, 'first message');
    const before = await reception.core.safetyNumber(gp.accountId);

    // The GP's PC is replaced: old device revoked (no wipe), a new profile enrols to the account.
    gp.close();
    await world.relay.relay.revoke(gp.accountId, { deviceId: 1, wipe: false });
    const issued = await world.relay.relay.enrol({ accountId: gp.accountId });
    const newGp = await world.enrolWithCode('Dr A Patel (new PC)', issued.code, 'New PC');
    expect(newGp.accountId).toBe(gp.accountId);
    newGp.core.start();

    const attempt = await reception.sendTo(newGp, 'after the change');
    expect((await reception.core.whenSent(attempt.id)).status).not.toBe('failed');
    await eventually(() => newGp.texts(reception).includes('after the change'), 'delivered');
    const conversation = reception.profile.repositories.conversations.findDirect(gp.accountId)!;
    expect(conversation.identityChangedAt).toBeNull();
    await eventually(
      () =>
        reception.profile.repositories.messages
          .pageAfter(conversation.id, null, 100)
          .some((m) => m.kind === 'notice' && m.body === 'Dr A Patel added a device: New PC'),
      'added-device notice',
    );
    const after = await reception.core.safetyNumber(gp.accountId);
    expect(after.identityChanged).toBe(false);
    expect(after.digits).not.toBe(before.digits);
    expect((await newGp.core.safetyNumber(reception.accountId)).digits).toBe(after.digits);
  });

  it('delete-for-everyone and the transcribed notice reach the peer; tombstones stop late copies', async () => {
    const reception = await world.enrol('Reception Desk', 'reception');
    const gp = await world.enrol('Dr A Patel');
    reception.core.start();
    gp.core.start();
    const question = await reception.sendTo(gp, 'Can Mr Brown have amoxicillin?');
    await eventually(() => gp.texts(reception).length === 1, 'question arrives');
    const gpConversation = gp.profile.repositories.conversations.findDirect(reception.accountId)!;
    const answer = await gp.core.sendText(gpConversation.id, 'Yes, 500 mg three times a day');
    await eventually(() => reception.texts(gp).length === 2, 'answer arrives');

    await gp.core.sendTranscribedNotice(gpConversation.id, {
      messageIds: [question.id, answer.id],
      transcribedBy: gp.accountId,
      transcribedAt: 1_800_000_000_000,
    });
    await eventually(
      () => reception.profile.repositories.messages.get(answer.id)?.transcribedBy === gp.accountId,
      'transcribed notice applied',
    );
    await gp.core.deleteForEveryone(gpConversation.id, [question.id, answer.id], 'transcribed');
    const markedOnly = (texts: string[]) =>
      texts.length === 1 && /^2 messages transcribed into the record by Dr A Patel/.test(texts[0]!);
    expect(markedOnly(gp.texts(reception))).toBe(true);
    await eventually(() => markedOnly(reception.texts(gp)), 'deleted on the peer, marker in place');
    expect(reception.profile.repositories.messages.wasDeleted(question.id)).toBe(true);
    const audit = reception.profile.repositories.audit.list().map((a) => a.action);
    expect(audit).toContain('messages_deleted_for_everyone');
    expect(JSON.stringify(reception.profile.repositories.audit.list())).not.toContain(
      'amoxicillin',
    );
  });

  it('neither the profiles nor the relay files contain a known plaintext marker', async () => {
    const reception = await world.enrol('Reception Desk', 'reception');
    const gp = await world.enrol('Dr A Patel');
    const marker = 'PLAINTEXT-MARKER-7f3a9c';
    reception.core.start();
    const sent = await reception.sendTo(gp, `${marker} in a message`);
    await reception.core.whenSent(sent.id);
    // The relay holds it now (the GP is offline): check the relay's files while it is queued.
    const relayFiles = filesUnder(world.relay.dataDir);
    gp.core.start();
    await eventually(() => gp.texts(reception).length === 1, 'received');
    reception.close();
    gp.close();
    const profileFiles = filesUnder(path.dirname(reception.profile.directory));
    expect(profileFiles.length).toBeGreaterThan(2);
    expect(relayFiles.length).toBeGreaterThan(0);
    for (const file of [...relayFiles, ...filesUnder(world.relay.dataDir), ...profileFiles]) {
      const bytes = readFileSync(file);
      expect(bytes.includes(Buffer.from(marker)), file).toBe(false);
      expect(bytes.includes(Buffer.from(marker, 'utf16le')), file).toBe(false);
    }
  });
});
