import type { Database } from 'better-sqlite3-multiple-ciphers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWorld, eventually, type Staff, type World } from './messaging-harness.js';

let world: World;
beforeEach(async () => {
  world = await createWorld();
});
afterEach(async () => {
  await world.cleanup();
});

/** A second PC of an existing account, enrolled with a code IT issued for that account. */
async function secondDevice(first: Staff, label: string, deviceName: string): Promise<Staff> {
  const issued = await world.relay.relay.enrol({ accountId: first.accountId });
  const device = await world.enrolWithCode(label, issued.code, deviceName);
  expect(device.accountId).toBe(first.accountId);
  return device;
}

const notices = (member: Staff, peer: Staff) => {
  const conversation = member.profile.repositories.conversations.findDirect(peer.accountId);
  if (!conversation) return [];
  return member.profile.repositories.messages
    .pageAfter(conversation.id, null, 10_000)
    .filter((m) => m.kind === 'notice')
    .map((m) => m.body);
};

describe('one person on several PCs', () => {
  it('a colleague’s new device is a notice, not a changed safety number: reception keeps sending and both PCs get it', async () => {
    const reception = await world.enrol('Reception Desk', 'reception');
    const gp1 = await world.enrol('Dr A Patel');
    reception.core.start();
    gp1.core.start();
    await reception.core.refreshDirectory();
    await reception.sendTo(gp1, 'before the second PC');
    await eventually(() => gp1.texts(reception).length === 1, 'first message on PC 1');
    const before = await reception.core.safetyNumber(gp1.accountId);

    const gp2 = await secondDevice(gp1, 'Dr A Patel (Room 4)', 'Room 4 PC');
    gp2.core.start();
    const after = await reception.sendTo(gp1, 'after the second PC');
    const settled = await reception.core.whenSent(after.id);
    expect(settled.status).not.toBe('failed');
    await eventually(() => gp1.texts(reception).includes('after the second PC'), 'PC 1 gets it');
    await eventually(() => gp2.texts(reception).includes('after the second PC'), 'PC 2 gets it');

    const conversation = reception.profile.repositories.conversations.findDirect(gp1.accountId)!;
    expect(conversation.identityChangedAt).toBeNull();
    expect(reception.core.isIdentityChanged(gp1.accountId)).toBe(false);
    expect(reception.seen.some((e) => e.type === 'identity.changed')).toBe(false);
    await eventually(
      () => notices(reception, gp1).includes('Dr A Patel added a device: Room 4 PC'),
      'the added-device notice',
    );
    // The safety number covers both PCs, and both GP devices compute the same one.
    const withBoth = await reception.core.safetyNumber(gp1.accountId);
    expect(withBoth.identityChanged).toBe(false);
    expect(withBoth.digits).not.toBe(before.digits);
    expect((await gp1.core.safetyNumber(reception.accountId)).digits).toBe(withBoth.digits);
    expect((await gp2.core.safetyNumber(reception.accountId)).digits).toBe(withBoth.digits);

    await reception.sendTo(gp1, 'and again');
    await eventually(() => gp2.texts(reception).includes('and again'), 'later messages too');
    expect(notices(reception, gp1)).toHaveLength(1);
  });

  it('first contact with someone who already has two PCs announces no device', async () => {
    const reception = await world.enrol('Reception Desk', 'reception');
    const gp1 = await world.enrol('Dr A Patel');
    const gp2 = await secondDevice(gp1, 'Dr A Patel (Room 4)', 'Room 4 PC');
    reception.core.start();
    gp1.core.start();
    gp2.core.start();
    await reception.sendTo(gp1, 'hello');
    await eventually(() => gp2.texts(reception).includes('hello'), 'both PCs');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(notices(reception, gp1)).toEqual([]);
  });

  it('a genuinely changed key of one GP device still blocks sending until acknowledged', async () => {
    const reception = await world.enrol('Reception Desk', 'reception');
    const gp1 = await world.enrol('Dr A Patel');
    const gp2 = await secondDevice(gp1, 'Dr A Patel (Room 4)', 'Room 4 PC');
    reception.core.start();
    gp1.core.start();
    gp2.core.start();
    await reception.sendTo(gp1, 'before');
    await eventually(() => gp2.texts(reception).includes('before'), 'both PCs');

    // The relay now presents other keys for device 2 (re-imaged, or a hostile relay): a new
    // profile enrols as device 3 and the relay's record of it is put in device 2's place.
    gp2.close();
    const impostor = await secondDevice(gp1, 'Dr A Patel (re-imaged)', 'Room 4 PC');
    const db = (world.relay.relay.storage as unknown as { db: Database }).db;
    db.prepare(
      "UPDATE devices SET device_id = 99, status = 'revoked' WHERE account_id = ? AND device_id = 2",
    ).run(gp1.accountId);
    db.prepare('UPDATE devices SET device_id = 2 WHERE account_id = ? AND device_id = 3').run(
      gp1.accountId,
    );
    expect(impostor.accountId).toBe(gp1.accountId);

    const attempt = await reception.sendTo(gp1, 'after the change');
    const settled = await reception.core.whenSent(attempt.id);
    expect(settled.status).toBe('failed');
    expect(settled.failureReason).toMatch(/safety number has changed/);
    expect(reception.core.isIdentityChanged(gp1.accountId)).toBe(true);
    const conversation = reception.profile.repositories.conversations.findDirect(gp1.accountId)!;
    expect(conversation.identityChangedAt).not.toBeNull();
    await expect(reception.sendTo(gp1, 'still blocked')).rejects.toMatchObject({
      code: 'forbidden',
    });
    expect(notices(reception, gp1)).toEqual([]);

    await reception.core.acknowledgeIdentity(gp1.accountId);
    expect(reception.core.isIdentityChanged(gp1.accountId)).toBe(false);
    expect(
      reception.profile.repositories.audit.forConversation(conversation.id).map((a) => a.action),
    ).toEqual(['identity_changed', 'identity_acknowledged']);
    await reception.core.actions.retry(attempt.id);
    await eventually(() => gp1.texts(reception).includes('after the change'), 'sent after ack');
  });
});
