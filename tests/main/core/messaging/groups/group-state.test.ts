import { describe, expect, it } from 'vitest';
import { PrivateKey } from '@signalapp/libsignal-client';
import {
  changeAllowed,
  creationAllowed,
  groupStateBodySchema,
  pickHead,
  signatureValid,
  signState,
  stateHash,
  type GroupStateBody,
} from '../../../../../main/core/messaging/groups/group-state.js';

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const [admin, b, c, d] = [1, 2, 3, 4].map(id) as [string, string, string, string];
const adminKey = PrivateKey.generate();
const bKey = PrivateKey.generate();

const first: GroupStateBody = {
  v: 1,
  groupId: id(99),
  version: 1,
  parentHash: null,
  name: 'Reception team',
  members: [admin, b, c],
  admins: [admin],
  changedAt: 1000,
};
const next = (change: Partial<GroupStateBody>): GroupStateBody => ({
  ...first,
  version: 2,
  parentHash: stateHash(first),
  changedAt: 2000,
  ...change,
});

describe('group state', () => {
  it('verifies the signature over the canonical body, and nothing else', () => {
    const signed = signState(first, { accountId: admin, deviceId: 1 }, adminKey);
    expect(signatureValid(signed, adminKey.getPublicKey())).toBe(true);
    expect(signatureValid(signed, bKey.getPublicKey())).toBe(false);
    const tampered = { ...signed, body: { ...signed.body, members: [admin, b, c, d] } };
    expect(signatureValid(tampered, adminKey.getPublicKey())).toBe(false);
    expect(creationAllowed(signed)).toEqual({ ok: true });
    expect(creationAllowed(signState(first, { accountId: b, deviceId: 1 }, bKey)).ok).toBe(false);
  });

  it('lets an admin change the group, a member only leave, and nobody skip versions', () => {
    const add = next({ members: [admin, b, c, d] });
    expect(
      changeAllowed(first, signState(add, { accountId: admin, deviceId: 1 }, adminKey)),
    ).toEqual({ ok: true });
    expect(changeAllowed(first, signState(add, { accountId: b, deviceId: 1 }, bKey))).toEqual({
      ok: false,
      reason: 'signer is not an admin',
    });
    const leave = next({ members: [admin, c] });
    expect(changeAllowed(first, signState(leave, { accountId: b, deviceId: 1 }, bKey)).ok).toBe(
      true,
    );
    const leaveAndPromote = next({ members: [admin, c], admins: [admin, c] });
    expect(
      changeAllowed(first, signState(leaveAndPromote, { accountId: b, deviceId: 1 }, bKey)).ok,
    ).toBe(false);
    const skip = next({ version: 3 });
    expect(
      changeAllowed(first, signState(skip, { accountId: admin, deviceId: 1 }, adminKey)).ok,
    ).toBe(false);
    const otherParent = next({ parentHash: 'a'.repeat(64) });
    expect(
      changeAllowed(first, signState(otherParent, { accountId: admin, deviceId: 1 }, adminKey)).ok,
    ).toBe(false);
  });

  it('refuses malformed bodies: unsorted members, an admin who is not a member, over 100', () => {
    expect(groupStateBodySchema.safeParse({ ...first, members: [c, b, admin] }).success).toBe(
      false,
    );
    expect(groupStateBodySchema.safeParse({ ...first, admins: [d] }).success).toBe(false);
    const many = Array.from({ length: 101 }, (_, i) => id(i + 1000));
    expect(groupStateBodySchema.safeParse({ ...first, members: many, admins: [] }).success).toBe(
      false,
    );
  });

  it('picks the same current state whatever order the states arrived in', () => {
    const states = [
      { version: 1, hash: 'c' },
      { version: 2, hash: 'e' },
      { version: 2, hash: 'b' },
      { version: 2, hash: 'd' },
    ];
    const orders = [
      states,
      [...states].reverse(),
      [states[2]!, states[0]!, states[3]!, states[1]!],
    ];
    for (const order of orders) expect(pickHead(order)).toEqual({ version: 2, hash: 'b' });
    expect(pickHead([])).toBeNull();
  });
});
