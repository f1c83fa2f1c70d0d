import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sha256 } from '../../../../../server/secrets.js';
import { encodeContent, type Content } from '../../../../../main/core/messaging/content-codec.js';
import { newMessageId } from '../../../../../main/core/messaging/message-ids.js';
import { readRelayAccount } from '../../../../../main/core/messaging/relay-account.js';
import { UndecryptableEnvelopesRepository } from '../../../../../main/core/db/repositories/undecryptable-envelopes-repository.js';
import {
  signState,
  stateHash,
  type GroupStateBody,
} from '../../../../../main/core/messaging/groups/group-state.js';
import { IdentityKeyPair, PrivateKey } from '@signalapp/libsignal-client';
import { FrameLog } from '../../../../server/relay-client.js';
import { createWorld, eventually, type Staff, type World } from '../messaging-harness.js';

// Membership changes through a real relay: removal (no later ciphertext, a replay unreadable),
// a relay that tries to add someone, concurrent changes, and a member catching up after being
// offline.

let world: World;
beforeEach(async () => {
  world = await createWorld();
});
afterEach(async () => {
  await world.cleanup();
});

const groupTexts = (member: Staff, groupId: string) =>
  member.profile.repositories.messages
    .pageAfter(groupId, null, 10_000)
    .filter((m) => m.kind === 'text')
    .map((m) => m.body);

const memberIds = (member: Staff, groupId: string) =>
  member.core.groups
    .get(groupId)
    .members.map((m) => m.accountId)
    .sort();

async function startGroup(names: string[]) {
  const staff: Staff[] = [];
  for (const name of names) staff.push(await world.enrol(name));
  for (const member of staff) member.core.start();
  const [admin, ...others] = staff as [Staff, ...Staff[]];
  const group = await admin.core.groups.create(
    'Nurses',
    others.map((o) => o.accountId),
  );
  await eventually(
    () => others.every((o) => o.core.groups.list().some((g) => g.groupId === group.groupId)),
    'every member learns the group',
  );
  return { staff, admin, others, groupId: group.groupId };
}

function accountOf(member: Staff) {
  return readRelayAccount(member.profile.repositories.settings)!;
}

/** The envelopes waiting on the relay for a device, read over its socket without acking. */
async function peekQueue(token: string) {
  const socket = await FrameLog.open(world.relay.relay.url, token);
  try {
    await socket.until((log) => log.has('queue_empty'));
    return socket.envelopes();
  } finally {
    socket.close();
  }
}

describe('group membership', () => {
  it('a removed member gets no later ciphertext and cannot read one replayed to it', async () => {
    const { admin, others, groupId } = await startGroup([
      'Practice Nurse Lead',
      'Nurse B',
      'Nurse C',
      'Nurse D',
    ]);
    const [b, c, d] = others as [Staff, Staff, Staff];
    await admin.core.whenSent((await admin.core.sendText(groupId, 'before')).id);
    await eventually(() => groupTexts(d, groupId).length === 1, 'D reads what was sent before');

    await admin.core.groups.removeMember(groupId, d.accountId);
    await eventually(
      () => !d.core.groups.get(groupId).isMember && memberIds(b, groupId).length === 3,
      'the removal reaches B and D',
    );
    expect(
      d.profile.repositories.messages.pageAfter(groupId, null, 100).map((m) => m.body),
    ).toContain('Practice Nurse Lead removed you from the group.');
    // D and C go offline; what the admin sends now waits on the relay.
    const dDevice = accountOf(d);
    const cDevice = accountOf(c);
    d.close();
    c.close();
    const after = await admin.core.sendText(groupId, 'after the removal');
    await admin.core.whenSent(after.id);
    await eventually(() => groupTexts(b, groupId).includes('after the removal'), 'B reads it');

    expect(
      (await peekQueue(dDevice.token)).filter(
        (e) => e.senderAccountId === admin.accountId && e.type === 7,
      ),
    ).toEqual([]);
    const forC = (await peekQueue(cDevice.token)).find(
      (e) => e.type === 7 && e.clientMessageId.startsWith(after.id),
    );
    expect(forC).toBeDefined();

    // A hostile relay replays C's copy into D's queue, as if from the admin's device.
    const sender = await world.relay.relay.storage.findDeviceByTokenHash(
      sha256(accountOf(admin).token),
    );
    const dRecord = await world.relay.relay.storage.findDeviceByTokenHash(sha256(dDevice.token));
    const queued = await world.relay.relay.storage.enqueue({
      senderDevicePk: sender!.devicePk,
      senderAccountId: admin.accountId,
      senderDeviceId: sender!.deviceId,
      senderOrg: sender!.account.org,
      recipientAccountId: d.accountId,
      clientMessageId: 'replayed-1',
      clientTimestamp: null,
      envelopes: [
        {
          deviceId: dDevice.deviceId,
          registrationId: dRecord!.registrationId,
          type: 7,
          content: Buffer.from(forC!.content, 'base64'),
        },
      ],
      maxQueuedPerDevice: 10_000,
      maxQueuedPerSender: 1_000,
      queueReservedPerSender: 100,
      now: Date.now(),
    });
    expect(queued.ok).toBe(true);
    await d.reopen();
    d.core.start();
    const kept = new UndecryptableEnvelopesRepository(d.profile.db);
    await eventually(() => kept.all().length === 1, 'D keeps the replay as undecryptable');
    expect(groupTexts(d, groupId)).toEqual(['before']);
    // C, back online, reads it: only D was cut off.
    await c.reopen();
    c.core.start();
    await eventually(() => groupTexts(c, groupId).includes('after the removal'), 'C catches up');
  });

  it('a relay that tries to add a member is refused by every client', async () => {
    const { admin, others, groupId, staff } = await startGroup(['Dr Lead', 'Dr B', 'Dr C']);
    // The relay operator enrols an account of its own and uses it to push group changes.
    const ghost = await world.enrol('Relay Ghost');
    ghost.core.start();
    const victims = staff.map((s) => s.accountId);
    // The relay sees only ciphertext; the ghost, as a test shortcut, copies the real first state.
    const stored = JSON.parse(
      (
        admin.profile.db
          .prepare('SELECT signed FROM group_states WHERE group_id = ?')
          .get(groupId) as {
          signed: string;
        }
      ).signed,
    ) as { body: GroupStateBody };
    const withGhost = (extra: Partial<GroupStateBody>): GroupStateBody => ({
      ...stored.body,
      version: stored.body.version + 1,
      parentHash: stateHash(stored.body),
      members: [...victims, ghost.accountId].sort(),
      changedAt: Date.now(),
      ...extra,
    });
    const ghostKey = IdentityKeyPair.deserialize(
      new Uint8Array(
        ghost.profile.db
          .prepare('SELECT identity_key_pair FROM own_identity')
          .pluck()
          .get() as Buffer,
      ),
    ).privateKey;
    const forgeries = [
      // 1. signed by the ghost as itself: not an admin of the group.
      signState(withGhost({}), { accountId: ghost.accountId, deviceId: 1 }, ghostKey),
      // 2. claims to be the admin's device, signed with another key.
      signState(withGhost({}), { accountId: admin.accountId, deviceId: 1 }, PrivateKey.generate()),
      // 3. a "new first state" of the same group with the ghost as admin.
      signState(
        { ...withGhost({ version: 1, parentHash: null }), admins: [ghost.accountId] },
        { accountId: ghost.accountId, deviceId: 1 },
        ghostKey,
      ),
      // 4. a later version hanging off a parent nobody has, made admin by itself.
      signState(
        withGhost({ version: 9, parentHash: 'f'.repeat(64), admins: [ghost.accountId] }),
        { accountId: ghost.accountId, deviceId: 1 },
        ghostKey,
      ),
    ];
    const now = Date.now();
    for (const member of staff) {
      for (const state of forgeries) {
        const content: Content = {
          v: 1,
          id: newMessageId(now),
          sentAt: now,
          kind: 'group-update',
          state,
        };
        ghost.profile.repositories.outbox.enqueue(
          {
            kind: 'control',
            recipientAccountId: member.accountId,
            payload: encodeContent(content),
          },
          now,
        );
      }
    }
    await ghost.core.flushOutbox();
    // Each member received (and refused) all four: their receipts are the ghost's outbox emptied.
    await eventually(
      () => ghost.profile.repositories.outbox.all().length === 0,
      'the forgeries are delivered',
    );
    // A message after the forgeries, so we know they were processed before it.
    await admin.core.whenSent((await admin.core.sendText(groupId, 'still just us')).id);
    await eventually(
      () => others.every((o) => groupTexts(o, groupId).includes('still just us')),
      'the members read the next message',
    );
    for (const member of staff) {
      expect(memberIds(member, groupId)).toEqual([...victims].sort());
      expect(member.core.groups.get(groupId).version).toBe(1);
    }
    expect(ghost.core.groups.list()).toEqual([]);
    expect(groupTexts(ghost, groupId)).toEqual([]);
  });

  it('concurrent add and remove by two admins converge to both changes on every device', async () => {
    const lead = await world.enrol('Dr Lead');
    const manager = await world.enrol('Practice Manager', 'manager' as 'clinician');
    const c = await world.enrol('Nurse C');
    const d = await world.enrol('Nurse D');
    const e = await world.enrol('Nurse E');
    for (const member of [lead, manager, c, d, e]) member.core.start();
    await lead.core.refreshDirectory();
    const group = await lead.core.groups.create('Partners', [
      manager.accountId,
      c.accountId,
      d.accountId,
    ]);
    expect(
      group.members
        .filter((m) => m.admin)
        .map((m) => m.accountId)
        .sort(),
    ).toEqual([lead.accountId, manager.accountId].sort());
    await eventually(
      () => [manager, c, d].every((m) => m.core.groups.list().length === 1),
      'everyone has the group',
    );
    // Both admins change the group at the same moment, each from version 1.
    await Promise.all([
      lead.core.groups.addMember(group.groupId, e.accountId),
      manager.core.groups.removeMember(group.groupId, d.accountId),
    ]);
    const expected = [lead, manager, c, e].map((m) => m.accountId).sort();
    await eventually(
      () =>
        [lead, manager, c, e].every(
          (m) =>
            m.core.groups.list().length === 1 &&
            memberIds(m, group.groupId).join() === expected.join(),
        ) && !d.core.groups.get(group.groupId).isMember,
      'every device converges',
      30_000,
    );
    const versions = new Set(
      [lead, manager, c, e].map((m) => m.core.groups.get(group.groupId).version),
    );
    expect(versions.size).toBe(1);
    // And the group works for the new member and not for the removed one.
    await manager.core.whenSent((await manager.core.sendText(group.groupId, 'welcome E')).id);
    await eventually(() => groupTexts(e, group.groupId).includes('welcome E'), 'E reads it');
    await eventually(() => groupTexts(c, group.groupId).includes('welcome E'), 'C reads it');
    expect(groupTexts(d, group.groupId)).not.toContain('welcome E');
  });

  it('a member offline for a while catches up with every message, in order', async () => {
    const { admin, others, groupId } = await startGroup(['Dr Lead', 'Dr B', 'Dr C']);
    const [b, c] = others as [Staff, Staff];
    c.close();
    const sent: string[] = [];
    for (let i = 1; i <= 12; i += 1) {
      const author = i % 2 === 0 ? admin : b;
      const text = `update ${i}`;
      sent.push(text);
      await author.core.whenSent((await author.core.sendText(groupId, text)).id);
    }
    await c.reopen();
    c.core.start();
    await eventually(() => groupTexts(c, groupId).length === 12, 'C catches up');
    expect(groupTexts(c, groupId)).toEqual(sent);
    expect(new UndecryptableEnvelopesRepository(c.profile.db).all()).toEqual([]);
  });
});
