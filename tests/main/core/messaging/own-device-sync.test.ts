import type { Database } from 'better-sqlite3-multiple-ciphers';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWorld, eventually, type Staff, type World } from './messaging-harness.js';
import { readRelayAccount } from '../../../../main/core/messaging/relay-account.js';
import { sha256 } from '../../../../server/secrets.js';

// Issue 13, sync between a person's own devices: a GP on two PCs and reception on one.

let world: World;
beforeEach(async () => {
  world = await createWorld();
});
afterEach(async () => {
  await world.cleanup();
});

async function secondDevice(first: Staff, label: string): Promise<Staff> {
  const issued = await world.relay.relay.enrol({ accountId: first.accountId });
  return world.enrolWithCode(label, issued.code, label);
}

const messagesWith = (member: Staff, peer: Staff) => {
  const conversation = member.profile.repositories.conversations.findDirect(peer.accountId);
  if (!conversation) return [];
  return member.profile.repositories.messages.pageAfter(conversation.id, null, 10_000);
};
const find = (member: Staff, peer: Staff, text: string) =>
  messagesWith(member, peer).find((m) => m.body === text);

async function gpOnTwoPcs() {
  const reception = await world.enrol('Reception Desk', 'reception');
  const pc1 = await world.enrol('Dr A Patel');
  const pc2 = await secondDevice(pc1, 'Room 7 PC');
  for (const member of [reception, pc1, pc2]) member.core.start();
  await eventually(
    () => [reception, pc1, pc2].every((m) => m.core.connectionState === 'online'),
    'all online',
  );
  return { reception, pc1, pc2 };
}

describe('sync between a person’s own devices', () => {
  it('reception sends, both GP PCs get it; the GP replies from PC 1 and PC 2 shows it as sent by the GP; reception keeps sending', async () => {
    const { reception, pc1, pc2 } = await gpOnTwoPcs();
    await reception.sendTo(pc1, 'Can you call Mr B back?');
    await eventually(() => find(pc1, reception, 'Can you call Mr B back?') !== undefined, 'PC 1');
    await eventually(() => find(pc2, reception, 'Can you call Mr B back?') !== undefined, 'PC 2');

    const reply = await pc1.sendTo(reception, 'Yes, after surgery');
    await eventually(() => find(reception, pc1, 'Yes, after surgery') !== undefined, 'reception');
    await eventually(() => find(pc2, reception, 'Yes, after surgery') !== undefined, 'PC 2 copy');
    const copy = find(pc2, reception, 'Yes, after surgery')!;
    expect(copy).toMatchObject({
      id: reply.id,
      direction: 'outgoing',
      senderAccountId: pc1.accountId,
      senderDeviceId: 1,
      sentAt: reply.sentAt,
    });
    expect(['sent', 'delivered', 'read']).toContain(copy.status);
    // The copy is PC 2's own record of what the GP sent: not sent again, not a new message for reception.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(
      messagesWith(reception, pc1).filter((m) => m.body === 'Yes, after surgery'),
    ).toHaveLength(1);

    const later = await reception.sendTo(pc1, 'Thanks');
    expect((await reception.core.whenSent(later.id)).status).not.toBe('failed');
    await eventually(() => find(pc2, reception, 'Thanks') !== undefined, 'PC 2 still gets it');
    expect(reception.core.isIdentityChanged(pc1.accountId)).toBe(false);
  });

  it('read state, deletions, transcription marks and a disappearing timer follow the GP to the other PC', async () => {
    const { reception, pc1, pc2 } = await gpOnTwoPcs();
    await reception.sendTo(pc1, 'first question');
    const second = await reception.sendTo(pc1, 'second question');
    await eventually(() => find(pc2, reception, 'second question') !== undefined, 'PC 2');
    await eventually(() => find(pc1, reception, 'second question') !== undefined, 'PC 1');

    const conversation1 = pc1.profile.repositories.conversations.findDirect(reception.accountId)!;
    await pc1.core.actions.markRead(conversation1.id, second.id);
    await eventually(
      () => find(pc2, reception, 'second question')?.readAt != null,
      'read on PC 2 too',
    );
    expect(find(pc2, reception, 'first question')?.readAt).not.toBeNull();

    await pc1.core.sendTranscribedNotice(conversation1.id, {
      messageIds: [second.id],
      transcribedBy: pc1.accountId,
      transcribedAt: Date.now(),
    });
    await eventually(
      () => find(pc2, reception, 'second question')?.transcribedAt != null,
      'transcribed on PC 2',
    );
    await pc1.core.deleteForEveryone(conversation1.id, [second.id], 'transcribed');
    await eventually(
      () => find(pc2, reception, 'second question') === undefined,
      'deleted on PC 2',
    );
    const conversation2 = pc2.profile.repositories.conversations.findDirect(reception.accountId)!;
    expect(
      pc2.profile.repositories.audit.forConversation(conversation2.id).map((a) => a.action),
    ).toContain('messages_deleted_for_everyone');
    // And on reception's side, as before.
    await eventually(() => find(reception, pc1, 'second question') === undefined, 'reception');

    await pc1.core.setDisappearingTimer(conversation1.id, 3600);
    await eventually(
      () =>
        pc2.profile.repositories.conversations.get(conversation2.id)?.disappearingSeconds === 3600,
      'the timer on PC 2',
    );
  });

  it('an identity acknowledged on one PC is acknowledged on the other only for the same key', async () => {
    const { reception, pc1, pc2 } = await gpOnTwoPcs();
    const nurse = await world.enrol('Nurse N', 'nurse');
    nurse.core.start();
    await pc1.sendTo(nurse, 'hello from PC 1');
    await pc2.sendTo(nurse, 'hello from PC 2');
    // Both texts (the nurse may also be told that the GP's second PC was added, depending on
    // which PC's first message reaches the nurse first).
    await eventually(
      () => ['hello from PC 1', 'hello from PC 2'].every((t) => nurse.texts(pc1).includes(t)),
      'nurse got both',
    );

    // The relay presents another key for the nurse's device (a hostile relay): the nurse's
    // record is replaced by a new enrolment's, under the same device number.
    nurse.close();
    const impostor = await secondDevice(nurse, 'Nurse N (impostor)');
    const db = (world.relay.relay.storage as unknown as { db: Database }).db;
    db.prepare(
      "UPDATE devices SET device_id = 99, status = 'revoked' WHERE account_id = ? AND device_id = 1",
    ).run(nurse.accountId);
    db.prepare('UPDATE devices SET device_id = 1 WHERE account_id = ? AND device_id = 2').run(
      nurse.accountId,
    );
    expect(impostor.accountId).toBe(nurse.accountId);
    // Both PCs meet the new key (sessions are reset so each fetches the bundle again).
    for (const pc of [pc1, pc2]) {
      const attempt = await pc.sendTo(nurse, 'after the change');
      expect((await pc.core.whenSent(attempt.id)).status).toBe('failed');
      expect(pc.core.isIdentityChanged(nurse.accountId)).toBe(true);
    }
    void reception;

    await pc1.core.acknowledgeIdentity(nurse.accountId);
    await eventually(
      () => !pc2.core.isIdentityChanged(nurse.accountId),
      'acknowledged on PC 2 through sync',
    );
    const conversation2 = pc2.profile.repositories.conversations.findDirect(nurse.accountId)!;
    expect(conversation2.identityChangedAt).toBeNull();
    expect(
      pc2.profile.repositories.audit.forConversation(conversation2.id).map((a) => a.action),
    ).toEqual(['identity_changed', 'identity_acknowledged']);
  });

  it('removing a PC tells the person’s other PCs, which stop encrypting to it; the removed one gets nothing new', async () => {
    const { reception, pc1, pc2 } = await gpOnTwoPcs();
    const pc3 = await secondDevice(pc1, 'Room 9 PC');
    pc3.core.start();
    await eventually(() => pc3.core.connectionState === 'online', 'PC 3 online');
    // Sessions between the PCs exist once each has synced something.
    await pc2.sendTo(reception, 'from PC 2');
    await pc1.sendTo(reception, 'from PC 1');
    await eventually(() => find(pc3, reception, 'from PC 1') !== undefined, 'PC 3 has the copy');
    await eventually(() => find(pc2, reception, 'from PC 1') !== undefined, 'PC 2 has the copy');

    await pc1.core.removeOwnDevice(3);
    await eventually(() => pc2.seen.some((e) => e.type === 'devices.changed'), 'PC 2 told');
    expect((await pc2.core.ownDevices()).map((d) => d.deviceId)).toEqual([1, 2]);
    await eventually(() => pc3.core.isStopped, 'PC 3 stopped by the wipe');
    // PC 3 learns the GP removed it, from PC 1: its wipe screen says so, not "your practice".
    expect(pc3.seen.find((e) => e.type === 'account.stopped')).toMatchObject({
      reason: 'wipe',
      removedBy: { displayName: 'Dr A Patel', deviceId: 1 },
    });

    const later = await reception.sendTo(pc1, 'after the removal');
    expect((await reception.core.whenSent(later.id)).status).not.toBe('failed');
    const copy = await pc2.sendTo(reception, 'PC 2 after the removal');
    expect((await pc2.core.whenSent(copy.id)).status).not.toBe('failed');
    await eventually(() => find(pc1, reception, 'PC 2 after the removal') !== undefined, 'PC 1');
    await eventually(() => find(pc2, reception, 'after the removal') !== undefined, 'PC 2');
    expect(find(pc3, reception, 'after the removal')).toBeUndefined();
  });
});

describe('files in own-device sync', () => {
  it('a file the GP sends from PC 1 shows on PC 2 as sent by the GP, and PC 2 fetches it', async () => {
    const { reception, pc1, pc2 } = await gpOnTwoPcs();
    // Sessions between the PCs exist once one has synced something.
    await pc1.sendTo(reception, 'a photo follows');
    await eventually(() => find(pc2, reception, 'a photo follows') !== undefined, 'PC 2 copy');

    const bytes = randomBytes(300 * 1024);
    bytes.set([0xff, 0xd8, 0xff, 0xe0], 0);
    const conversation = await pc1.core.openDirect(reception.accountId);
    const sent = await pc1.core.attachments.send(conversation.id, {
      bytes,
      name: 'wound.jpg',
      maxBytes: 25 * 1_048_576,
    });
    expect((await pc1.core.attachments.whenSettled(sent.id)).state).toBe('uploaded');

    await eventually(() => reception.profile.repositories.attachments.get(sent.id) !== null, 'r');
    expect((await reception.core.attachments.whenSettled(sent.id)).state).toBe('ready');
    expect(reception.core.attachments.read(sent.id).bytes.equals(bytes)).toBe(true);

    await eventually(
      () => pc2.profile.repositories.messages.get(sent.id) !== null,
      'PC 2 has the file message',
    );
    expect(pc2.profile.repositories.messages.get(sent.id)).toMatchObject({
      direction: 'outgoing',
      senderAccountId: pc1.accountId,
      senderDeviceId: 1,
      sentAt: sent.sentAt,
    });
    expect((await pc2.core.attachments.whenSettled(sent.id)).state).toBe('ready');
    const copy = pc2.core.attachments.read(sent.id);
    expect(copy.bytes.equals(bytes)).toBe(true);
    expect(copy.record).toMatchObject({ fileName: 'wound.jpg', contentType: 'image/jpeg' });
    // Not sent on by PC 2: reception has the one message.
    expect(messagesWith(reception, pc1).filter((m) => m.id === sent.id)).toHaveLength(1);
  });
});

describe('a receipt that overtakes the sync copy', () => {
  it('is kept and applied when the copy arrives, so the copy does not stay at "Sent"', async () => {
    const { reception, pc1, pc2 } = await gpOnTwoPcs();
    const pc2Token = readRelayAccount(pc2.profile.repositories.settings)!.token;
    pc2.close();
    const sent = await pc1.sendTo(reception, 'Results are back, all normal');
    await eventually(
      () => find(reception, pc1, 'Results are back, all normal') !== undefined,
      'reception',
    );
    await eventually(
      () =>
        ['delivered', 'read'].includes(
          find(pc1, reception, 'Results are back, all normal')?.status ?? '',
        ),
      'receipt on PC 1',
    );
    // At the relay, PC 2's queue holds the copy from PC 1 and then reception's receipt: the copy
    // is moved behind the receipt (the same ciphertext, queued again), as a slow path would do.
    const storage = world.relay.relay.storage;
    const token = pc2Token;
    const device = (await storage.findDeviceByTokenHash(sha256(token)))!;
    for (let i = 0; (await storage.fetchQueue(device.devicePk, 0, 100)).length < 2; i += 1) {
      if (i > 300) throw new Error('timed out waiting for both envelopes at the relay');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const queue = await storage.fetchQueue(device.devicePk, 0, 100);
    const copy = queue.find((e) => e.senderAccountId === pc1.accountId)!;
    expect(queue.indexOf(copy)).toBeLessThan(
      queue.findIndex((e) => e.senderAccountId === reception.accountId),
    );
    const pc1Token = readRelayAccount(pc1.profile.repositories.settings)!.token;
    const pc1Device = (await storage.findDeviceByTokenHash(sha256(pc1Token)))!;
    await storage.ack(device.devicePk, [copy.id]);
    const requeued = await storage.enqueue({
      senderDevicePk: pc1Device.devicePk,
      senderAccountId: pc1.accountId,
      senderDeviceId: copy.senderDeviceId,
      senderOrg: pc1Device.account.org,
      recipientAccountId: pc1.accountId,
      clientMessageId: `${copy.clientMessageId}-late`,
      clientTimestamp: copy.clientTimestamp,
      envelopes: [
        {
          deviceId: device.deviceId,
          registrationId: device.registrationId,
          type: copy.type,
          content: copy.content,
        },
      ],
      maxQueuedPerDevice: 10_000,
      maxQueuedPerSender: 1_000,
      queueReservedPerSender: 100,
      now: Date.now(),
    });
    expect(requeued.ok).toBe(true);

    await pc2.reopen();
    pc2.core.start();
    await eventually(
      () => find(pc2, reception, 'Results are back, all normal') !== undefined,
      'copy',
    );
    await eventually(
      () =>
        ['delivered', 'read'].includes(
          find(pc2, reception, 'Results are back, all normal')?.status ?? '',
        ),
      'copy not left at Sent',
    );
    expect(find(pc2, reception, 'Results are back, all normal')!.id).toBe(sent.id);
  });
});
