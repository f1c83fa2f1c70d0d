import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isMessengerError } from '../../../../shared/errors.js';
import { attemptLimitedGateway } from '../../../../main/core/app/attempt-limited-gateway.js';
import { MemoryKeychain } from '../../../../main/core/keychain/memory-keychain.js';
import { createLogger } from '../../../../main/core/log/logger.js';
import type { LoadedPolicy } from '../../../../main/core/policy/load-policy.js';
import { defaultPolicy } from '../../../../main/core/policy/policy-schema.js';
import { ProfileStore } from '../../../../main/core/profile/profile-store.js';

const passcode = 'correct horse 1';
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const loadedPolicy: LoadedPolicy = {
  policy: defaultPolicy,
  source: 'system',
  path: '/etc/practice-messenger/policy.json',
  keysSet: ['pidGuard', 'relayUrl'],
};

function setUp(maxPasscodeAttempts: number | null, policy?: LoadedPolicy) {
  const root = mkdtempSync(path.join(tmpdir(), 'pmsg-shell-'));
  dirs.push(root);
  const store = new ProfileStore({
    root,
    keychain: new MemoryKeychain(),
    scrypt: { N: 2 ** 10, r: 8, p: 1 },
    // No delays, so the test reaches the wipe threshold at once.
    attemptPolicy: { freeFailures: 1000, baseDelayMs: 0, maxDelayMs: 0 },
    logger: createLogger('test', { sink: () => {} }),
  });
  return {
    store,
    gateway: attemptLimitedGateway(store, {
      maxPasscodeAttempts,
      ...(policy ? { policy } : {}),
    }),
  };
}

async function failure(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

describe('the profile store behind the shell (real SQLCipher files)', () => {
  it('creates unlocked, lists with attempt state, stores settings in the profile', async () => {
    const { gateway } = setUp(null);
    const created = await gateway.create('Reception desk', passcode);
    created.settings.set('ui.lockTimeoutMinutes', 3, Date.now());
    await created.close();
    const [listed] = await gateway.list();
    expect(listed).toMatchObject({
      displayName: 'Reception desk',
      failedAttempts: 0,
      nextAttemptAt: null,
    });
    const reopened = await gateway.unlock(created.summary.id, passcode);
    expect(reopened.settings.get('ui.lockTimeoutMinutes', z.number())).toBe(3);
    await reopened.close();
  });

  it('deletes only with the passcode', async () => {
    const { gateway, store } = setUp(null);
    const created = await gateway.create('Dr Patel', passcode);
    await created.close();
    const wrong = await failure(gateway.delete(created.summary.id, 'not the passcode'));
    expect(isMessengerError(wrong, 'invalid_passcode')).toBe(true);
    expect(await gateway.list()).toHaveLength(1);
    await gateway.delete(created.summary.id, passcode);
    expect(await gateway.list()).toEqual([]);
    expect(existsSync(store.directoryOf(created.summary.id))).toBe(false);
  });

  it('wipes the profile after the policy number of wrong passcodes, and not before', async () => {
    const { gateway, store } = setUp(3);
    const created = await gateway.create('Reception', passcode);
    await created.close();
    const id = created.summary.id;
    for (const _ of [1, 2]) {
      expect(
        isMessengerError(await failure(gateway.unlock(id, 'wrong passcode')), 'invalid_passcode'),
      ).toBe(true);
    }
    expect((await gateway.list())[0]?.failedAttempts).toBe(2);
    const third = await failure(gateway.unlock(id, 'wrong passcode'));
    expect(isMessengerError(third, 'too_many_attempts')).toBe(true);
    expect((third as Error).message).toMatch(/removed from this computer/);
    expect(existsSync(store.directoryOf(id))).toBe(false);
    expect(await gateway.list()).toEqual([]);
  });

  it('never wipes when the policy says null', async () => {
    const { gateway } = setUp(null);
    const created = await gateway.create('Reception', passcode);
    await created.close();
    for (let i = 0; i < 5; i += 1)
      await failure(gateway.unlock(created.summary.id, 'wrong passcode'));
    expect(await gateway.list()).toHaveLength(1);
    await (await gateway.unlock(created.summary.id, passcode)).close();
  });

  it('records the policy (keys, no values) when it changes, and a burst of wrong passcodes', async () => {
    const { gateway, store } = setUp(null, loadedPolicy);
    const created = await gateway.create('Reception', passcode);
    await created.close();
    const id = created.summary.id;
    const records = async () => {
      const unlocked = await gateway.unlock(id, passcode);
      const list = unlocked.profile.repositories.audit.list().reverse();
      await unlocked.close();
      return list;
    };
    // Two wrong passcodes are a slip: no burst.
    for (const _ of [1, 2]) await failure(gateway.unlock(id, 'wrong passcode'));
    const first = await records();
    expect(first.map((r) => r.action)).toEqual(['policy.loaded']);
    expect(first[0]).toMatchObject({
      actorAccountId: null,
      details: { source: 'system', keysSet: 'pidGuard,relayUrl', keyCount: 2 },
    });
    // The path and values are not recorded.
    expect(JSON.stringify(first)).not.toContain('/etc/practice-messenger');
    // Four in a row, then the right one: the burst is recorded with the count and the last time.
    const beforeBurst = Date.now();
    for (const _ of [1, 2, 3, 4]) await failure(gateway.unlock(id, 'wrong passcode'));
    const second = await records();
    // The same policy again is not recorded again.
    expect(second.map((r) => r.action)).toEqual(['policy.loaded', 'unlock.failed_burst']);
    expect(second[1]?.details['failures']).toBe(4);
    expect(second[1]?.details['lastFailureAt']).toBeGreaterThanOrEqual(beforeBurst);
    // The count was cleared by that unlock: the next one records no burst.
    expect((await records()).filter((r) => r.action === 'unlock.failed_burst')).toHaveLength(1);
    // IT changes the policy: the next unlock records the new keys.
    const changed = attemptLimitedGateway(store, {
      maxPasscodeAttempts: null,
      policy: { ...loadedPolicy, keysSet: ['pidGuard'] },
    });
    const unlocked = await changed.unlock(id, passcode);
    const policies = unlocked.profile.repositories.audit
      .list()
      .filter((r) => r.action === 'policy.loaded');
    await unlocked.close();
    expect(policies.map((r) => r.details['keysSet'])).toEqual(['pidGuard', 'pidGuard,relayUrl']);
  });
});
