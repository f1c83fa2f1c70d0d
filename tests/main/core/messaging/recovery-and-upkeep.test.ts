// Paths that only run when something goes wrong or time passes: an envelope that cannot be
// decrypted (kept, session reset, resent), one-time prekeys running low, and the signed prekey
// rotating on schedule. Real relay, real profiles, real keychain.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { UndecryptableEnvelopesRepository } from '../../../../main/core/db/repositories/undecryptable-envelopes-repository.js';
import { MessagingCore } from '../../../../main/core/messaging/messaging-core.js';
import { readRelayAccount } from '../../../../main/core/messaging/relay-account.js';
import { call } from '../../../server/relay-client.js';
import {
  createWorld,
  eventually,
  fastTuning,
  quietLogger,
  type Staff,
  type World,
} from './messaging-harness.js';

let world: World;
beforeEach(async () => {
  world = await createWorld();
});
afterEach(async () => {
  await world.cleanup();
});

const tokenOf = (member: Staff) => readRelayAccount(member.profile.repositories.settings)!.token;

async function preKeyCount(member: Staff): Promise<{ preKeys: number; kyberPreKeys: number }> {
  const result = await call(world.relay.relay.url, 'GET', '/v1/keys/count', {
    token: tokenOf(member),
  });
  expect(result.status).toBe(200);
  return result.json;
}

/** One bundle of `member`'s device, fetched (and so one one-time prekey used) by `by`. */
async function fetchBundle(member: Staff, by: Staff) {
  const result = await call(world.relay.relay.url, 'GET', `/v1/keys/${member.accountId}/1`, {
    token: tokenOf(by),
  });
  expect(result.status).toBe(200);
  return result.json.devices[0] as { signedPreKey: { keyId: number }; preKey: unknown };
}

/** Polls an async read until `done` holds; the test's own timeout bounds it. */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string) {
  const started = Date.now();
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() - started > 15_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('recovery and key upkeep', () => {
  it('keeps an undecryptable envelope, asks for a session reset, and the resent message arrives', async () => {
    const reception = await world.enrol('Reception Desk', 'reception');
    const gp = await world.enrol('Dr A Patel');
    reception.core.start();
    gp.core.start();
    await reception.sendTo(gp, 'hello');
    await eventually(() => gp.texts(reception).length === 1, 'first message');
    const gpConversation = gp.profile.repositories.conversations.findDirect(reception.accountId)!;
    const back = await gp.core.sendText(gpConversation.id, 'hello back');
    await eventually(() => reception.texts(gp).length === 1, 'reply');
    // Reception's delivered receipt travels in the session about to be lost: let it arrive first,
    // so that the only envelope the GP cannot decrypt is the message below.
    await eventually(
      () => gp.profile.repositories.messages.get(back.id)?.status === 'delivered',
      'the receipt of the reply',
    );

    // The GP's PC is off while reception sends; reception then goes offline too, so that the
    // kept envelope can be seen before the reset is answered (otherwise the whole recovery can
    // be over between two looks, on an idle machine in under 20 ms).
    gp.close();
    const lost = await reception.sendTo(gp, 'sent into the broken session');
    await eventually(() => reception.profile.repositories.outbox.count() === 0, 'at the relay');
    reception.close();
    // The GP's device comes back without its session with reception (as after restoring an old
    // backup), on a profile opened afresh so no session state is left in memory.
    await gp.reopen();
    gp.profile.db.prepare('DELETE FROM sessions WHERE account_id = ?').run(reception.accountId);
    gp.core.start();

    const kept = new UndecryptableEnvelopesRepository(gp.profile.db);
    await eventually(() => kept.all().length === 1, 'envelope kept');
    expect(kept.all()[0]).toMatchObject({
      senderAccountId: reception.accountId,
      clientMessageId: expect.stringMatching(new RegExp(`^${lost.id}\\.\\d+$`)),
      lastError: expect.stringMatching(/^libsignal:/),
    });
    await reception.reopen();
    reception.core.start();
    // The reset reached reception's device, which resent the message in a fresh session.
    await eventually(
      () => gp.texts(reception).includes('sent into the broken session'),
      'resent message arrives',
    );
    expect(gp.profile.repositories.messages.get(lost.id)).toMatchObject({
      senderAccountId: reception.accountId,
      body: 'sent into the broken session',
    });
    expect(gp.texts(reception)).toEqual(['hello', 'hello back', 'sent into the broken session']);
    // Stored from the resend: the kept ciphertext of the same message is gone with it.
    expect(kept.all()).toEqual([]);
    // The new session works both ways.
    await gp.core.sendText(gpConversation.id, 'all good now');
    await eventually(() => reception.texts(gp).includes('all good now'), 'reply after reset');
    await reception.sendTo(gp, 'and again');
    await eventually(() => gp.texts(reception).includes('and again'), 'message after reset');
    expect(gp.texts(reception).filter((t) => t === 'sent into the broken session')).toHaveLength(1);
  });

  it('uploads one-time prekeys when the relay count falls below the threshold', async () => {
    const gp = await world.enrol('Dr A Patel');
    const reception = await world.enrol('Reception Desk', 'reception');
    const threshold = 20;
    const start = await preKeyCount(gp);
    expect(start).toEqual({ preKeys: 100, kyberPreKeys: 100 });
    // Others starting sessions use the keys up: leave exactly the threshold.
    for (let i = 0; i < start.preKeys - threshold; i += 1) await fetchBundle(gp, reception);
    expect(await preKeyCount(gp)).toEqual({ preKeys: threshold, kyberPreKeys: threshold });

    // At the threshold nothing is uploaded on connect.
    gp.core.start();
    await gp.core.events.next('queue.drained');
    expect(await preKeyCount(gp)).toEqual({ preKeys: threshold, kyberPreKeys: threshold });

    // A new session (reception fetches one more bundle) takes it below: the GP's device uploads
    // a batch when the prekey message arrives.
    reception.core.start();
    await reception.sendTo(gp, 'first contact');
    await eventually(() => gp.texts(reception).length === 1, 'first contact arrives');
    const counts = await until(
      () => preKeyCount(gp),
      (c) => c.preKeys > threshold,
      'replenished',
    );
    expect(counts).toEqual({ preKeys: threshold - 1 + 100, kyberPreKeys: threshold - 1 + 100 });
    // The relay hands out the new keys, and sessions started from them work.
    const local = gp.profile.db.prepare('SELECT count(*) FROM prekeys').pluck().get() as number;
    expect(local).toBeGreaterThanOrEqual(counts.preKeys);
    const nurse = await world.enrol('Nurse Jones', 'nurse');
    nurse.core.start();
    await nurse.sendTo(gp, 'from a new colleague');
    await eventually(() => gp.texts(nurse).length === 1, 'session from a replenished key');
  });

  it('rotates the signed prekey on schedule, and sessions from the new one work', async () => {
    const gp = await world.enrol('Dr A Patel');
    const reception = await world.enrol('Reception Desk', 'reception');
    const rotatedAt = () =>
      gp.profile.repositories.settings.get('signal.signedPreKeyRotatedAt', z.number());
    const enrolledAt = rotatedAt()!;
    const day = 24 * 3600_000;
    const coreAt = (time: number) =>
      MessagingCore.open(gp.profile, {
        now: () => time,
        tuning: fastTuning,
        logger: quietLogger,
      });

    // Six days on: not due yet.
    let core = coreAt(enrolledAt + 6 * day);
    core.start();
    await core.events.next('queue.drained');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(rotatedAt()).toBe(enrolledAt);
    expect((await fetchBundle(gp, reception)).signedPreKey.keyId).toBe(1);
    core.stop();

    // Eight days on: rotated, uploaded, and recorded.
    const later = enrolledAt + 8 * day;
    core = coreAt(later);
    gp.core = core;
    core.start();
    await eventually(() => rotatedAt() === later, 'rotation recorded');
    expect((await fetchBundle(gp, reception)).signedPreKey.keyId).toBe(2);
    const ids = gp.profile.db
      .prepare('SELECT id FROM signed_prekeys ORDER BY id')
      .pluck()
      .all() as number[];
    // The old key is kept for sessions started from bundles fetched before the rotation.
    expect(ids).toEqual([1, 2]);

    reception.core.start();
    await reception.sendTo(gp, 'after rotation');
    await eventually(
      () => gp.texts(reception).includes('after rotation'),
      'message after rotation',
    );
  });
});
