import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UndecryptableEnvelopesRepository } from '../../../../../main/core/db/repositories/undecryptable-envelopes-repository.js';
import { readRelayAccount } from '../../../../../main/core/messaging/relay-account.js';
import { FrameLog } from '../../../../server/relay-client.js';
import { createWorld, eventually, type Staff, type World } from '../messaging-harness.js';

// Groups and the per-device identity model: five members on six devices (a GP on two PCs),
// real relay over real sockets, real SQLCipher profiles, real libsignal sender keys.

let world: World;
beforeEach(async () => {
  world = await createWorld();
});
afterEach(async () => {
  await world.cleanup();
});

const groupMessages = (member: Staff, groupId: string) =>
  member.profile.repositories.messages
    .pageAfter(groupId, null, 10_000)
    .filter((m) => m.kind === 'text');
const groupTexts = (member: Staff, groupId: string) =>
  groupMessages(member, groupId).map((m) => m.body);

async function secondDevice(first: Staff, label: string): Promise<Staff> {
  const issued = await world.relay.relay.enrol({ accountId: first.accountId });
  return world.enrolWithCode(label, issued.code, label);
}

const tokenOf = (member: Staff) => readRelayAccount(member.profile.repositories.settings)!.token;

async function peekQueue(token: string) {
  const socket = await FrameLog.open(world.relay.relay.url, token);
  try {
    await socket.until((log) => log.has('queue_empty'));
    return socket.envelopes();
  } finally {
    socket.close();
  }
}

async function sixDevices() {
  const reception = await world.enrol('Reception Desk', 'reception');
  const gp1 = await world.enrol('Dr A Patel');
  const gp2 = await secondDevice(gp1, 'Room 7 PC');
  const nurse = await world.enrol('Nurse B Jones', 'nurse');
  const khan = await world.enrol('Dr C Khan');
  const smith = await world.enrol('HCA D Smith', 'nurse');
  const devices = [reception, gp1, gp2, nurse, khan, smith];
  for (const device of devices) device.core.start();
  await eventually(
    () => devices.every((d) => d.core.connectionState === 'online'),
    'every device online',
  );
  const group = await reception.core.groups.create(
    'Reception team',
    [gp1, nurse, khan, smith].map((m) => m.accountId),
  );
  await eventually(
    () => devices.every((d) => d.core.groups.list().some((g) => g.groupId === group.groupId)),
    'every device of every member learns the group',
  );
  return { reception, gp1, gp2, nurse, khan, smith, devices, groupId: group.groupId };
}

describe('groups on every device of every member', () => {
  it('five members on six devices exchange messages; the GP’s other PC shows what the GP wrote as sent by them', async () => {
    const { reception, gp1, gp2, nurse, khan, smith, devices, groupId } = await sixDevices();
    expect(gp2.core.groups.get(groupId).members).toHaveLength(5);
    expect(gp2.core.groups.get(groupId).isMember).toBe(true);

    const first = await reception.core.sendText(groupId, 'Morning all: phones open at 8');
    expect((await reception.core.whenSent(first.id)).status).not.toBe('failed');
    await eventually(
      () => devices.every((d) => groupTexts(d, groupId).includes('Morning all: phones open at 8')),
      'both GP PCs and everyone else receive it',
    );

    const fromPc1 = await gp1.core.sendText(groupId, 'from PC 1');
    const fromPc2 = await gp2.core.sendText(groupId, 'from PC 2');
    await nurse.core.sendText(groupId, 'from the nurse');
    await eventually(
      () => devices.every((d) => groupTexts(d, groupId).length === 4),
      'every device has all four messages',
    );
    for (const device of devices) {
      const texts = groupTexts(device, groupId);
      expect(texts[0]).toBe('Morning all: phones open at 8');
      expect([...texts].sort()).toEqual(
        ['Morning all: phones open at 8', 'from PC 1', 'from PC 2', 'from the nurse'].sort(),
      );
    }
    // The GP's other PC holds the GP's own messages as sent by the GP, from the right device.
    const copyOn2 = groupMessages(gp2, groupId).find((m) => m.id === fromPc1.id)!;
    expect(copyOn2).toMatchObject({
      direction: 'outgoing',
      senderAccountId: gp1.accountId,
      senderDeviceId: 1,
      sentAt: fromPc1.sentAt,
    });
    expect(['sent', 'delivered', 'read']).toContain(copyOn2.status);
    const copyOn1 = groupMessages(gp1, groupId).find((m) => m.id === fromPc2.id)!;
    expect(copyOn1).toMatchObject({ direction: 'outgoing', senderDeviceId: 2 });
    // Everyone else sees one message from the GP per message, not one per PC.
    for (const other of [reception, nurse, khan, smith]) {
      const fromGp = groupMessages(other, groupId).filter(
        (m) => m.senderAccountId === gp1.accountId,
      );
      expect(fromGp.map((m) => m.direction)).toEqual(['incoming', 'incoming']);
    }
    // Receipts reach both of the GP's PCs: "delivered to 4 of 4" on the copy too.
    await eventually(
      () => gp2.core.groups.receipts(fromPc1.id).delivered === 4,
      'the other PC counts the delivered receipts too',
    );
    // Read on PC 1, read on PC 2.
    await gp1.core.actions.markRead(groupId, first.id);
    await eventually(
      () => groupMessages(gp2, groupId).find((m) => m.id === first.id)?.readAt != null,
      'PC 2 marks it read',
    );
    for (const device of devices) {
      expect(new UndecryptableEnvelopesRepository(device.profile.db).all()).toEqual([]);
    }
  });

  it('an offline PC catches up in order; a removed member’s two PCs get no later ciphertext', async () => {
    const { reception, gp1, gp2, nurse, khan, devices, groupId } = await sixDevices();
    gp2.close();
    const sent: string[] = [];
    for (let i = 1; i <= 6; i += 1) {
      const author = [reception, nurse, khan, gp1][i % 4] as Staff;
      const text = `update ${i}`;
      sent.push(text);
      await author.core.whenSent((await author.core.sendText(groupId, text)).id);
    }
    await gp2.reopen();
    gp2.core.start();
    await eventually(() => groupTexts(gp2, groupId).length === 6, 'PC 2 catches up');
    expect(groupTexts(gp2, groupId)).toEqual(sent);

    await reception.core.groups.removeMember(groupId, gp1.accountId);
    await eventually(
      () => !gp1.core.groups.get(groupId).isMember && !gp2.core.groups.get(groupId).isMember,
      'both of the GP’s PCs learn the removal',
    );
    const tokens = [tokenOf(gp1), tokenOf(gp2)];
    gp1.close();
    gp2.close();
    const after = await reception.core.sendText(groupId, 'after the removal');
    expect((await reception.core.whenSent(after.id)).status).not.toBe('failed');
    await eventually(() => groupTexts(nurse, groupId).includes('after the removal'), 'nurse');
    for (const token of tokens) {
      expect((await peekQueue(token)).filter((e) => e.type === 7)).toEqual([]);
    }
    expect(devices).toHaveLength(6);
  });

  it('a member’s PC enrolled later gets the sender keys and the group, reading a message from someone it never wrote to at once', async () => {
    const { reception, nurse, khan, groupId } = await sixDevices();
    const nurse2 = await secondDevice(nurse, 'Treatment room PC');
    nurse2.core.start();
    await eventually(() => nurse2.core.connectionState === 'online', 'new PC online');
    // Dr Khan writes first: his sender key reaches the new PC with the group state, signed by
    // reception's device, which the new PC has never met; it fetches that key and reads on.
    const message = await khan.core.sendText(groupId, 'Mr B is in room 3');
    expect((await khan.core.whenSent(message.id)).status).not.toBe('failed');
    await eventually(
      () => groupTexts(nurse2, groupId).includes('Mr B is in room 3'),
      'the new PC reads it without a restart',
    );
    expect(nurse2.core.groups.get(groupId).members).toHaveLength(5);
    await reception.core.sendText(groupId, 'thanks');
    await eventually(() => groupTexts(nurse2, groupId).includes('thanks'), 'and the next one');
    expect(new UndecryptableEnvelopesRepository(nurse2.profile.db).all()).toEqual([]);
  });
});
