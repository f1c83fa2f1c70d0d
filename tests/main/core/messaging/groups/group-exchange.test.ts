import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWorld, eventually, type Staff, type World } from '../messaging-harness.js';

// Groups end to end: real relay over real sockets, real SQLCipher profiles, real libsignal sender
// keys, several staff cores in one process.

let world: World;
beforeEach(async () => {
  world = await createWorld();
});
afterEach(async () => {
  await world.cleanup();
});

function groupTexts(member: Staff, groupId: string): string[] {
  return member.profile.repositories.messages
    .pageAfter(groupId, null, 10_000)
    .filter((m) => m.kind === 'text')
    .map((m) => m.body);
}

describe('group conversations with sender keys', () => {
  it('five members exchange messages; each device stores each message once, in order', async () => {
    const names = ['Reception Desk', 'Dr A Patel', 'Nurse B Jones', 'Dr C Khan', 'HCA D Smith'];
    const staff: Staff[] = [];
    for (const name of names) staff.push(await world.enrol(name));
    for (const member of staff) member.core.start();
    const [creator, ...others] = staff as [Staff, ...Staff[]];
    await creator.core.refreshDirectory();

    const group = await creator.core.groups.create(
      'Reception team',
      others.map((o) => o.accountId),
    );
    expect(group.members).toHaveLength(5);
    expect(group.isAdmin).toBe(true);
    await eventually(
      () => others.every((o) => o.core.groups.list().some((g) => g.groupId === group.groupId)),
      'every member learns the group',
    );
    for (const other of others) {
      const seen = other.core.groups.get(group.groupId);
      expect(seen.name).toBe('Reception team');
      expect(seen.members.map((m) => m.accountId).sort()).toEqual(
        staff.map((s) => s.accountId).sort(),
      );
      expect(seen.isAdmin).toBe(false);
    }

    const first = await creator.core.sendText(group.groupId, 'Morning all: phones open at 8');
    const settled = await creator.core.whenSent(first.id);
    expect(settled.status).not.toBe('failed');
    await eventually(
      () => others.every((o) => groupTexts(o, group.groupId).length === 1),
      'everyone receives the first message',
    );
    // Each member writes back.
    for (const [index, other] of others.entries()) {
      await other.core.sendText(group.groupId, `reply ${index}`);
    }
    await eventually(
      () => staff.every((s) => groupTexts(s, group.groupId).length === 5),
      'everyone has all five messages',
    );
    for (const member of staff) {
      const texts = groupTexts(member, group.groupId);
      expect(texts[0]).toBe('Morning all: phones open at 8');
      expect([...texts].sort()).toEqual(
        ['Morning all: phones open at 8', 'reply 0', 'reply 1', 'reply 2', 'reply 3'].sort(),
      );
    }
    // Delivered by all four, then read by some: "read by 2 of 4".
    await eventually(
      () => creator.core.groups.receipts(first.id).delivered === 4,
      'delivered receipts from every member',
    );
    for (const reader of others.slice(0, 2)) {
      await reader.core.actions.markRead(group.groupId, first.id);
    }
    await eventually(() => creator.core.groups.receipts(first.id).read === 2, 'two read receipts');
    expect(creator.core.groups.receipts(first.id)).toMatchObject({ recipients: 4, read: 2 });
    expect(creator.profile.repositories.messages.get(first.id)?.status).toBe('delivered');
  });
});
