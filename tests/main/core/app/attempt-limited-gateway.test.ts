import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isMessengerError } from '../../../../shared/errors.js';
import { attemptLimitedGateway } from '../../../../main/core/app/attempt-limited-gateway.js';
import { MemoryKeychain } from '../../../../main/core/keychain/memory-keychain.js';
import { createLogger } from '../../../../main/core/log/logger.js';
import { ProfileStore } from '../../../../main/core/profile/profile-store.js';

const passcode = 'correct horse 1';
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function setUp(maxPasscodeAttempts: number | null) {
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
  return { store, gateway: attemptLimitedGateway(store, { maxPasscodeAttempts }) };
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
});
