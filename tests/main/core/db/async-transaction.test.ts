import {
  ErrorCode,
  IdentityKeyPair,
  PreKeyBundle,
  ProtocolAddress,
  processPreKeyBundle,
  signalEncrypt,
} from '@signalapp/libsignal-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  MAX_PREEMPTIONS,
  TransactionPreemptedError,
  runInAsyncTransaction,
} from '../../../../main/core/db/async-transaction.js';
import type { OpenProfile } from '../../../../main/core/profile/open-profile.js';
import type { ProfileStore } from '../../../../main/core/profile/profile-store.js';
import { RetentionService } from '../../../../main/core/retention/retention-service.js';
import { createLocalIdentity } from '../../../../main/core/signal/local-identity.js';
import {
  generateLastResortKyberPreKey,
  generatePreKeys,
  generateSignedPreKey,
} from '../../../../main/core/signal/prekey-generation.js';
import {
  createSignalStores,
  type SignalStores,
} from '../../../../main/core/signal/signal-stores.js';
import { storeMessage } from '../helpers/clinical-profile.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { PASSCODE, makeTempDir, newStore } from '../helpers/temp-profiles.js';

const ALICE = { accountId: 'alice', displayName: 'Dr Alice', role: 'clinician' };
const BOB = { accountId: 'bob', displayName: 'Bob', role: 'reception' };
const t0 = Date.UTC(2025, 5, 2, 8, 0);

interface Party {
  profile: OpenProfile;
  stores: SignalStores;
  address: ProtocolAddress;
}

let temp: ReturnType<typeof makeTempDir>;
let store: ProfileStore;
const open: OpenProfile[] = [];

beforeEach(() => {
  temp = makeTempDir();
  store = newStore(temp.dir);
});
afterEach(() => {
  for (const profile of open.splice(0)) if (!profile.closed) profile.close();
  temp.cleanup();
});

async function party(accountId: string): Promise<Party> {
  const profile = await store.create({ label: accountId, passcode: PASSCODE });
  open.push(profile);
  createLocalIdentity(profile.db, { deviceId: 1, accountId });
  const stores = createSignalStores(profile.db);
  await generatePreKeys(stores, 1);
  await generateSignedPreKey(stores, 1);
  await generateLastResortKyberPreKey(stores);
  return { profile, stores, address: ProtocolAddress.new(accountId, 1) };
}

async function bundleOf(p: Party): Promise<PreKeyBundle> {
  const { stores } = p;
  const preKey = await stores.preKey.getPreKey(1);
  const signed = await stores.signedPreKey.getSignedPreKey(1);
  const kyber = await stores.kyberPreKey.getKyberPreKey(1);
  return PreKeyBundle.new(
    await stores.identity.getLocalRegistrationId(),
    1,
    preKey.id(),
    preKey.publicKey(),
    signed.id(),
    signed.publicKey(),
    signed.signature(),
    (await stores.identity.getIdentityKeyPair()).publicKey,
    kyber.id(),
    kyber.publicKey(),
    kyber.signature(),
  );
}

/** Alice holds a session with Bob; `changeBob` then replaces Bob's identity (untrusted). */
async function aliceAndBob() {
  const alice = await party('alice');
  const bob = await party('bob');
  await processPreKeyBundle(
    await bundleOf(bob),
    bob.address,
    alice.address,
    alice.stores.session,
    alice.stores.identity,
  );
  const encrypt = () =>
    signalEncrypt(
      new TextEncoder().encode('hello'),
      bob.address,
      alice.address,
      alice.stores.session,
      alice.stores.identity,
    );
  const changeBob = () =>
    alice.stores.identity.saveIdentity(bob.address, IdentityKeyPair.generate().publicKey);
  return { alice, bob, encrypt, changeBob };
}

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

const marker = (profile: OpenProfile) => profile.repositories.settings.get('test.unit', z.number());

describe('an asynchronous transaction and other writers on the same connection', () => {
  it('keeps a retention deletion and a transcription confirmation made while a send is open and then fails on an untrusted identity', async () => {
    const { alice, encrypt, changeBob } = await aliceAndBob();
    await changeBob();
    const { profile } = alice;
    const clock = new FakeClock(t0 + 10_000);
    const expired = storeMessage(profile, {
      self: ALICE,
      peer: BOB,
      sender: BOB,
      text: 'call back about the results',
      sentAt: t0,
      expiresAt: t0 + 5_000,
    });
    const transcribed = storeMessage(profile, {
      self: ALICE,
      peer: BOB,
      sender: BOB,
      text: 'blood pressure 120/80',
      sentAt: t0 + 1,
    });
    const retention = new RetentionService({ profile, retentionDays: null, clock });
    const paused = gate();
    let attempts = 0;

    const send = runInAsyncTransaction(profile.db, async () => {
      attempts += 1;
      profile.repositories.settings.set('test.unit', attempts, t0);
      await paused.opened;
      return encrypt();
    });
    // The send's transaction is open and waiting: other code writes meanwhile.
    await new Promise((resolve) => setImmediate(resolve));
    expect(profile.db.inTransaction).toBe(true);
    const swept = await retention.start();
    expect(swept.deleted).toBe(1);
    // The writes a transcription confirmation makes, in its own synchronous transaction.
    profile.db.transaction(() => {
      profile.repositories.messages.markTranscribed([transcribed.id], 'alice', t0 + 2);
      profile.repositories.audit.append({
        at: t0 + 2,
        actorAccountId: 'alice',
        action: 'transcription.confirmed',
        messageIds: [transcribed.id],
      });
    })();
    paused.open();

    await expect(send).rejects.toMatchObject({ code: ErrorCode.UntrustedIdentity });
    // The send ran again after the others' writes, and only its own work was rolled back.
    expect(attempts).toBe(2);
    expect(marker(profile)).toBeUndefined();
    expect(profile.db.inTransaction).toBe(false);
    expect(profile.repositories.messages.get(expired.id)).toBeNull();
    expect(profile.repositories.messages.get(transcribed.id)?.transcribedBy).toBe('alice');
    const actions = profile.repositories.audit.list({ limit: 10 }).map((e) => e.action);
    expect(actions).toContain('transcription.confirmed');
    expect(actions).toContain('retention.expired_deleted');
    retention.stop();
  });

  it('commits both the other writer and the re-run unit when the unit succeeds', async () => {
    const { alice, encrypt } = await aliceAndBob();
    const { profile } = alice;
    const sessionBefore = profile.db.prepare('SELECT record FROM sessions').pluck().get();
    const paused = gate();
    let attempts = 0;
    const send = runInAsyncTransaction(profile.db, async () => {
      attempts += 1;
      profile.repositories.settings.set('test.unit', attempts, t0);
      await paused.opened;
      return encrypt();
    });
    await new Promise((resolve) => setImmediate(resolve));
    profile.repositories.settings.set('test.other', 'kept', t0);
    paused.open();
    await send;
    expect(attempts).toBe(2);
    expect(marker(profile)).toBe(2);
    expect(profile.repositories.settings.get('test.other', z.string())).toBe('kept');
    // libsignal's own store writes (made without the unit's async context) stayed in the unit.
    expect(profile.db.prepare('SELECT record FROM sessions').pluck().get()).not.toEqual(
      sessionBefore,
    );
  });

  it('does not preempt itself with the Signal stores it drives', async () => {
    const { alice, encrypt } = await aliceAndBob();
    let attempts = 0;
    await runInAsyncTransaction(alice.profile.db, async () => {
      attempts += 1;
      await encrypt();
      return encrypt();
    });
    expect(attempts).toBe(1);
  });

  it('gives up with a clear error when other writers keep preempting it', async () => {
    const { alice } = await aliceAndBob();
    const { profile } = alice;
    let attempts = 0;
    const unit = runInAsyncTransaction(profile.db, async () => {
      attempts += 1;
      profile.repositories.settings.set('test.unit', attempts, t0);
      await new Promise((resolve) => setTimeout(resolve, 5));
      profile.repositories.settings.set('test.unit', attempts, t0);
    });
    const interfere = setInterval(() => profile.repositories.settings.set('test.other', 1, t0), 1);
    try {
      await expect(unit).rejects.toBeInstanceOf(TransactionPreemptedError);
    } finally {
      clearInterval(interfere);
    }
    expect(attempts).toBe(MAX_PREEMPTIONS);
    expect(profile.db.inTransaction).toBe(false);
  });
});
