import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { attemptLimitedGateway } from '../../../../main/core/app/attempt-limited-gateway.js';
import { readPracticeAudit } from '../../../../main/core/audit/practice-audit-reader.js';
import { readRelayAccount } from '../../../../main/core/messaging/relay-account.js';
import { defaultPolicy } from '../../../../main/core/policy/policy-schema.js';
import { PASSCODE } from '../helpers/temp-profiles.js';
import { createWorld, type Staff, type World } from '../messaging/messaging-harness.js';

// The wrong-passcode wipe reaches the practice trail (docs/security.md): the unlock that wipes
// cannot open the database, so it reports with the credential kept in the OS keychain (the hash
// of the device's token), and the relay records the wipe and revokes the device. Real profiles,
// keychain and relay.

let world: World;
let manager: Staff;
let gp: Staff;

beforeEach(async () => {
  world = await createWorld();
  const enrol = async (name: string, role: 'manager' | 'clinician') =>
    world.enrolWithCode(
      name,
      (await world.relay.relay.enrol({ displayName: name, role, org: 'Riverside Surgery' })).code,
    );
  manager = await enrol('Sam Lee', 'manager');
  gp = await enrol('Dr Amira Khan', 'clinician');
});
afterEach(async () => {
  await world.cleanup();
});

const gateway = () =>
  attemptLimitedGateway(world.store, {
    maxPasscodeAttempts: 3,
    policy: { policy: defaultPolicy, source: 'defaults', path: null, keysSet: [] },
  });

describe('the wrong-passcode wipe', () => {
  it('is recorded in the practice trail and revokes the device', async () => {
    const id = gp.profile.id;
    const account = readRelayAccount(gp.profile.repositories.settings)!;
    // Enrolment or any unlock keeps the credential; here, the app's unlock.
    gp.close();
    (await gateway().unlock(id, PASSCODE)).close();
    expect(await world.store.getSideSecret(id, 'wipe-report')).not.toBeNull();
    // The keychain entry is not the token: only its hash.
    expect(await world.store.getSideSecret(id, 'wipe-report')).not.toContain(account.token);

    for (const attempt of [1, 2]) {
      await expect(
        gateway().unlock(id, `wrong guess ${attempt}`),
        `${attempt}`,
      ).rejects.toMatchObject({
        code: 'invalid_passcode',
      });
    }
    await expect(gateway().unlock(id, 'wrong guess 3')).rejects.toMatchObject({
      code: 'too_many_attempts',
    });
    expect(world.store.list().some((p) => p.id === id)).toBe(false);
    expect(await world.store.getSideSecret(id, 'wipe-report')).toBeNull();

    const managerAccount = readRelayAccount(manager.profile.repositories.settings)!;
    const trail = await readPracticeAudit(
      manager.core.relay,
      manager.profile.repositories,
      managerAccount,
    );
    expect(trail.intact).toBe(true);
    const wiped = trail.entries.find((e) => e.action === 'device.passcode_wiped');
    expect(wiped).toMatchObject({
      source: 'relay',
      accountId: gp.accountId,
      deviceId: account.deviceId,
      details: expect.objectContaining({ failures: 3, displayName: 'Dr Amira Khan' }) as unknown,
    });
    const revoked = trail.entries.find(
      (e) => e.action === 'device.revoked' && e.accountId === gp.accountId,
    );
    expect(revoked!.seq).toBeGreaterThan(wiped!.seq);
    // The credential is spent: the same report again finds no active device.
    const accounts = await world.relay.relay.storage.listAccountDevices(gp.accountId);
    expect(accounts).toEqual([]);
  });
});
