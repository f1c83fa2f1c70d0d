import { cpSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MessengerError, type ErrorCode } from '../../../../shared/errors.js';
import { KeytarKeychain } from '../../../../main/core/keychain/keytar-keychain.js';
import { DEFAULT_SCRYPT_PARAMS } from '../../../../main/core/profile/key-derivation.js';
import type { OpenProfile } from '../../../../main/core/profile/open-profile.js';
import { DATABASE_FILE, ProfileStore } from '../../../../main/core/profile/profile-store.js';
import { CHEAP_SCRYPT, PASSCODE, makeTempDir, newStore } from '../helpers/temp-profiles.js';

let temp: ReturnType<typeof makeTempDir>;
const opened: OpenProfile[] = [];
beforeEach(() => {
  temp = makeTempDir();
});
afterEach(() => {
  for (const profile of opened.splice(0)) profile.close();
  temp.cleanup();
});

function track(profile: OpenProfile): OpenProfile {
  opened.push(profile);
  return profile;
}

async function errorOf(promise: Promise<unknown>): Promise<MessengerError> {
  try {
    const value = await promise;
    if (value && typeof (value as OpenProfile).close === 'function') (value as OpenProfile).close();
  } catch (error) {
    if (error instanceof MessengerError) return error;
    throw error;
  }
  throw new Error('expected a MessengerError');
}

async function expectCode(promise: Promise<unknown>, code: ErrorCode): Promise<MessengerError> {
  const error = await errorOf(promise);
  expect(error.code).toBe(code);
  return error;
}

async function createClosed(store: ProfileStore, label = 'Dr Test'): Promise<string> {
  const profile = await store.create({ label, passcode: PASSCODE });
  profile.close();
  return profile.id;
}

describe('ProfileStore', () => {
  it('creates a 0700 folder with 0600 files and metadata holding nothing secret', async () => {
    const store = newStore(temp.dir);
    const profile = track(await store.create({ label: '  Reception desk 1 ', passcode: PASSCODE }));
    expect(profile.label).toBe('Reception desk 1');
    profile.repositories.settings.set('probe', true, 1);
    expect(statSync(profile.directory).mode & 0o777).toBe(0o700);
    for (const name of readdirSync(profile.directory)) {
      expect(statSync(path.join(profile.directory, name)).mode & 0o777, name).toBe(0o600);
    }
    const metadata = JSON.parse(readFileSync(path.join(profile.directory, 'profile.json'), 'utf8'));
    expect(Object.keys(metadata).sort()).toEqual(['createdAt', 'format', 'id', 'kdf', 'label']);
    expect(Object.keys(metadata.kdf).sort()).toEqual(['N', 'algorithm', 'p', 'r', 'salt']);
    expect(metadata.kdf).toMatchObject({ algorithm: 'scrypt', ...CHEAP_SCRYPT });
    const secret = await new KeytarKeychain().getSecret(profile.id);
    expect(Buffer.from(secret ?? '', 'base64')).toHaveLength(32);
    expect(JSON.stringify(metadata)).not.toContain(secret);
    expect(store.list()).toEqual([
      { ok: true, id: profile.id, label: 'Reception desk 1', createdAt: metadata.createdAt },
    ]);
  });

  it('unlocks with the default scrypt parameters (N=2^15, r=8, p=1)', async () => {
    const store = new ProfileStore({ root: temp.dir, keychain: new KeytarKeychain() });
    const id = await createClosed(store);
    const metadata = JSON.parse(readFileSync(path.join(temp.dir, id, 'profile.json'), 'utf8'));
    expect(metadata.kdf).toMatchObject(DEFAULT_SCRYPT_PARAMS);
    const started = performance.now();
    const profile = track(await store.unlock(id, PASSCODE));
    expect(performance.now() - started).toBeLessThan(5000);
    expect(profile.repositories.settings.get('missing', (await import('zod')).z.string())).toBe(
      undefined,
    );
  });

  it('rejects a short passcode at creation and leaves nothing behind', async () => {
    const store = newStore(temp.dir);
    const error = await expectCode(
      store.create({ label: 'x', passcode: '12345' }),
      'passcode_too_short',
    );
    expect(error.message).toMatch(/at least 6/);
    expect(readdirSync(temp.dir)).toEqual([]);
  });

  it('refuses a wrong passcode with invalid_passcode and opens nothing', async () => {
    const store = newStore(temp.dir);
    const id = await createClosed(store);
    await expectCode(store.unlock(id, 'wrong passcode'), 'invalid_passcode');
    // Nothing stays open: the right passcode then opens it normally (a second open would conflict).
    const profile = track(await store.unlock(id, PASSCODE));
    await expectCode(store.unlock(id, PASSCODE), 'conflict');
    expect(profile.closed).toBe(false);
  });

  it('says keychain_entry_missing, clearly, when the keychain secret is gone', async () => {
    const store = newStore(temp.dir);
    const id = await createClosed(store);
    await new KeytarKeychain().deleteSecret(id);
    const error = await expectCode(store.unlock(id, PASSCODE), 'keychain_entry_missing');
    expect(error.message).toMatch(/another OS user account|keychain was reset/);
    expect(error.message).toMatch(/enrol again/);
  });

  it('cannot open a profile folder copied to another keychain account', async () => {
    const store = newStore(temp.dir);
    const id = await createClosed(store);
    const elsewhere = makeTempDir();
    try {
      cpSync(path.join(temp.dir, id), path.join(elsewhere.dir, id), { recursive: true });
      // Another OS account: a different keychain with no entry for this profile...
      const otherKeychain = new KeytarKeychain('Practice Messenger (other account)');
      const other = newStore(elsewhere.dir, { keychain: otherKeychain });
      await expectCode(other.unlock(id, PASSCODE), 'keychain_entry_missing');
      // ...or one that happens to hold a different secret under the same id.
      await otherKeychain.setSecret(id, Buffer.alloc(32, 7).toString('base64'));
      await expectCode(other.unlock(id, PASSCODE), 'invalid_passcode');
      await otherKeychain.deleteSecret(id);
    } finally {
      elsewhere.cleanup();
    }
  });

  it('cannot open a profile folder copied under a new profile id', async () => {
    const store = newStore(temp.dir);
    const original = await store.create({ label: 'Original', passcode: PASSCODE });
    original.close();
    const copy = await store.create({ label: 'Copy', passcode: PASSCODE });
    copy.close();
    // Overwrite the second profile's database with the first one's: same passcode, same
    // keychain, but a different secret and profile id go into the key.
    cpSync(path.join(original.directory, DATABASE_FILE), path.join(copy.directory, DATABASE_FILE));
    await expectCode(store.unlock(copy.id, PASSCODE), 'invalid_passcode');
  });

  it('changes the passcode: the old one fails, the data is intact', async () => {
    const store = newStore(temp.dir);
    const profile = await store.create({ label: 'Nurse', passcode: PASSCODE });
    profile.repositories.settings.set('kept', { value: 42 }, 1);
    await expectCode(
      profile.changePasscode('not the passcode', 'new passcode 2'),
      'invalid_passcode',
    );
    await expectCode(profile.changePasscode(PASSCODE, 'short'), 'passcode_too_short');
    await profile.changePasscode(PASSCODE, 'new passcode 2');
    profile.close();

    await expectCode(store.unlock(profile.id, PASSCODE), 'invalid_passcode');
    const reopened = track(await store.unlock(profile.id, 'new passcode 2'));
    const { z } = await import('zod');
    expect(reopened.repositories.settings.get('kept', z.object({ value: z.number() }))).toEqual({
      value: 42,
    });
    const metadata = JSON.parse(readFileSync(path.join(profile.directory, 'profile.json'), 'utf8'));
    expect(metadata.pendingKdf).toBeUndefined();
  });

  it('changes the passcode of a closed profile through the store', async () => {
    const store = newStore(temp.dir);
    const id = await createClosed(store);
    await store.changePasscode(id, PASSCODE, 'another one 3');
    await expectCode(store.unlock(id, PASSCODE), 'invalid_passcode');
    track(await store.unlock(id, 'another one 3'));
  });

  it('recovers from a crash between rekey and the metadata update', async () => {
    const store = newStore(temp.dir);
    const profile = await store.create({ label: 'GP', passcode: PASSCODE });
    const metadataFile = path.join(profile.directory, 'profile.json');
    const before = readFileSync(metadataFile, 'utf8');
    await profile.changePasscode(PASSCODE, 'after crash 4');
    profile.close();
    // Simulate the crash: the database is rekeyed but the metadata still has the old salt, with
    // the new one recorded as pending.
    const after = JSON.parse(readFileSync(metadataFile, 'utf8'));
    writeFileSync(metadataFile, JSON.stringify({ ...JSON.parse(before), pendingKdf: after.kdf }));
    await expectCode(store.unlock(profile.id, PASSCODE), 'invalid_passcode');
    track(await store.unlock(profile.id, 'after crash 4'));
    const settled = JSON.parse(readFileSync(metadataFile, 'utf8'));
    expect(settled.kdf).toEqual(after.kdf);
    expect(settled.pendingKdf).toBeUndefined();
  });

  it('delays after repeated failures, growing, and the delay survives a restart', async () => {
    let now = Date.parse('2026-11-28T08:00:00Z');
    const clock = () => now;
    const id = await createClosed(newStore(temp.dir, { now: clock }));
    let store = newStore(temp.dir, { now: clock });

    for (let i = 1; i <= 2; i += 1) {
      const error = await expectCode(store.unlock(id, 'wrong wrong'), 'invalid_passcode');
      expect(error.details?.retryAt).toBeNull();
    }
    const third = await expectCode(store.unlock(id, 'wrong wrong'), 'invalid_passcode');
    expect(third.details).toMatchObject({
      failures: 3,
      retryAt: new Date(now + 1000).toISOString(),
    });

    // A restart (new store instance) keeps the count and the delay; even the right passcode waits.
    store = newStore(temp.dir, { now: clock });
    const waiting = await expectCode(store.unlock(id, PASSCODE), 'too_many_attempts');
    expect(waiting.details).toMatchObject({
      failures: 3,
      retryAt: new Date(now + 1000).toISOString(),
    });
    expect(waiting.message).toMatch(/Try again in 1 s/);

    now += 1000;
    const fourth = await expectCode(store.unlock(id, 'wrong wrong'), 'invalid_passcode');
    expect(fourth.details).toMatchObject({
      failures: 4,
      retryAt: new Date(now + 2000).toISOString(),
    });
    now += 2000;
    await expectCode(store.unlock(id, 'wrong wrong'), 'invalid_passcode');
    store = newStore(temp.dir, { now: clock });
    // When the last wrong passcode was typed survives too (the audit's burst record uses it).
    expect(store.attemptState(id)).toEqual({
      failures: 5,
      retryAt: now + 4000,
      lastFailureAt: now,
    });
    now += 3999;
    await expectCode(store.unlock(id, PASSCODE), 'too_many_attempts');
    now += 1;
    track(await store.unlock(id, PASSCODE));
    expect(store.attemptState(id)).toEqual({ failures: 0, retryAt: null });
  });

  it('says exactly what is wrong with a corrupt metadata file', async () => {
    const store = newStore(temp.dir);
    const id = await createClosed(store);
    const file = path.join(temp.dir, id, 'profile.json');
    const metadata = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify({ ...metadata, kdf: { ...metadata.kdf, N: 1000 } }));
    const error = await expectCode(store.unlock(id, PASSCODE), 'database_corrupt');
    expect(error.message).toContain(file);
    expect(error.message).toMatch(/kdf\.N/);
    expect(error.message).toMatch(/power of two|>=1024/);
    writeFileSync(file, '{ not json');
    expect((await errorOf(store.unlock(id, PASSCODE))).message).toMatch(/not valid JSON/);
    expect(store.list()).toEqual([{ ok: false, id, error: expect.stringMatching(/corrupt/) }]);
  });

  it('deletes the database files, the metadata and the keychain entry', async () => {
    const store = newStore(temp.dir);
    const keep = await createClosed(store, 'Keep');
    const profile = await store.create({ label: 'Delete me', passcode: PASSCODE });
    await store.delete(profile.id);
    expect(profile.closed).toBe(true);
    expect(readdirSync(temp.dir)).toEqual([keep]);
    expect(await new KeytarKeychain().getSecret(profile.id)).toBeNull();
    await expectCode(store.unlock(profile.id, PASSCODE), 'profile_not_found');
    await expectCode(store.delete(profile.id), 'profile_not_found');
    expect(store.list().map((entry) => entry.id)).toEqual([keep]);
  });

  it('rejects ids that are not profile ids (no path traversal)', async () => {
    const store = newStore(temp.dir);
    await expectCode(store.unlock('../../etc', PASSCODE), 'invalid_input');
  });
});
