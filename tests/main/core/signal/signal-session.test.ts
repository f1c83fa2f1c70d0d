import {
  CiphertextMessageType,
  PreKeyBundle,
  PreKeySignalMessage,
  PrivateKey,
  ProtocolAddress,
  SignalMessage,
  Direction,
  ErrorCode,
  IdentityChange,
  IdentityKeyPair,
  processPreKeyBundle,
  signalDecrypt,
  signalDecryptPreKey,
  signalEncrypt,
  type CiphertextMessage,
} from '@signalapp/libsignal-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runInAsyncTransaction } from '../../../../main/core/db/async-transaction.js';
import type { OpenProfile } from '../../../../main/core/profile/open-profile.js';
import type { ProfileStore } from '../../../../main/core/profile/profile-store.js';
import { createLocalIdentity } from '../../../../main/core/signal/local-identity.js';
import {
  generateKyberPreKeys,
  generateLastResortKyberPreKey,
  generatePreKeys,
  generateSignedPreKey,
} from '../../../../main/core/signal/prekey-generation.js';
import {
  createSignalStores,
  type SignalStores,
} from '../../../../main/core/signal/signal-stores.js';
import { PASSCODE, makeTempDir, newStore } from '../helpers/temp-profiles.js';

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
  for (const profile of open.splice(0)) profile.close();
  temp.cleanup();
});

const encoder = new TextEncoder();
const decoder = new TextDecoder();

async function enrol(accountId: string, oneTimeKyber: boolean): Promise<Party> {
  const profile = await store.create({ label: accountId, passcode: PASSCODE });
  open.push(profile);
  createLocalIdentity(profile.db, { deviceId: 1, accountId });
  const stores = createSignalStores(profile.db);
  await generatePreKeys(stores, 5);
  await generateSignedPreKey(stores, 1);
  if (oneTimeKyber) await generateKyberPreKeys(stores, 2);
  await generateLastResortKyberPreKey(stores);
  return { profile, stores, address: ProtocolAddress.new(accountId, 1) };
}

async function reopen(party: Party): Promise<Party> {
  party.profile.close();
  const profile = await store.unlock(party.profile.id, PASSCODE);
  open.push(profile);
  return { ...party, profile, stores: createSignalStores(profile.db) };
}

/** What a relay would hand out: the public half of one prekey of each kind. */
async function bundleOf(party: Party, kyberId: number, withPreKey = true): Promise<PreKeyBundle> {
  const { stores } = party;
  const identity = await stores.identity.getIdentityKeyPair();
  const preKey = await stores.preKey.getPreKey(1);
  const signed = await stores.signedPreKey.getSignedPreKey(1);
  const kyber = await stores.kyberPreKey.getKyberPreKey(kyberId);
  return PreKeyBundle.new(
    await stores.identity.getLocalRegistrationId(),
    1,
    withPreKey ? preKey.id() : null,
    withPreKey ? preKey.publicKey() : null,
    signed.id(),
    signed.publicKey(),
    signed.signature(),
    identity.publicKey,
    kyber.id(),
    kyber.publicKey(),
    kyber.signature(),
  );
}

async function send(from: Party, to: Party, text: string): Promise<CiphertextMessage> {
  return signalEncrypt(
    encoder.encode(text),
    to.address,
    from.address,
    from.stores.session,
    from.stores.identity,
  );
}

async function receive(at: Party, from: Party, message: CiphertextMessage): Promise<string> {
  const { stores } = at;
  const bytes = message.serialize();
  const plaintext =
    message.type() === CiphertextMessageType.PreKey
      ? await signalDecryptPreKey(
          PreKeySignalMessage.deserialize(bytes),
          from.address,
          at.address,
          stores.session,
          stores.identity,
          stores.preKey,
          stores.signedPreKey,
          stores.kyberPreKey,
        )
      : await signalDecrypt(
          SignalMessage.deserialize(bytes),
          from.address,
          at.address,
          stores.session,
          stores.identity,
        );
  return decoder.decode(plaintext);
}

describe('libsignal stores on SQLCipher', () => {
  it('establishes a PQXDH session, talks both ways, and continues after close and reopen', async () => {
    let alice = await enrol('alice', false);
    let bob = await enrol('bob', true);
    const bobKyberOneTime = 1;
    expect(bob.stores.kyberPreKey.oneTimeCount()).toBe(2);

    await processPreKeyBundle(
      await bundleOf(bob, bobKyberOneTime),
      bob.address,
      alice.address,
      alice.stores.session,
      alice.stores.identity,
    );
    const first = await send(alice, bob, 'Can you see Mrs Smith at 10?');
    expect(first.type()).toBe(CiphertextMessageType.PreKey);
    expect(await receive(bob, alice, first)).toBe('Can you see Mrs Smith at 10?');
    // The one-time EC and Kyber prekeys were consumed.
    await expect(bob.stores.preKey.getPreKey(1)).rejects.toThrow();
    expect(bob.stores.kyberPreKey.oneTimeCount()).toBe(1);

    const reply = await send(bob, alice, 'Yes, send her through.');
    expect(reply.type()).toBe(CiphertextMessageType.Whisper);
    expect(await receive(alice, bob, reply)).toBe('Yes, send her through.');

    alice = await reopen(alice);
    bob = await reopen(bob);
    for (let i = 0; i < 3; i += 1) {
      const a = await send(alice, bob, `after reopen ${i}`);
      expect(a.type()).toBe(CiphertextMessageType.Whisper);
      expect(await receive(bob, alice, a)).toBe(`after reopen ${i}`);
      const b = await send(bob, alice, `ack ${i}`);
      expect(await receive(alice, bob, b)).toBe(`ack ${i}`);
    }
    expect(alice.stores.session.deviceIds('bob')).toEqual([1]);
    expect(alice.stores.identity.remoteIdentity('bob')?.trust).toBe('first_use');
  });

  it('works with only the last-resort Kyber prekey and refuses a replayed initiation', async () => {
    const alice = await enrol('alice', false);
    const bob = await enrol('bob', false);
    const lastResortId = bob.stores.kyberPreKey.maxId();
    await processPreKeyBundle(
      await bundleOf(bob, lastResortId, false),
      bob.address,
      alice.address,
      alice.stores.session,
      alice.stores.identity,
    );
    const first = await send(alice, bob, 'hello');
    expect(await receive(bob, alice, first)).toBe('hello');
    // The last-resort key survives its use...
    expect((await bob.stores.kyberPreKey.getKyberPreKey(lastResortId)).id()).toBe(lastResortId);
    // ...but the same initiation again is refused.
    await expect(receive(bob, alice, first)).rejects.toThrow();
    // The store itself refuses a base key seen before with the last-resort key.
    const baseKey = PrivateKey.generate().getPublicKey();
    await bob.stores.kyberPreKey.markKyberPreKeyUsed(lastResortId, 1, baseKey);
    await expect(
      bob.stores.kyberPreKey.markKyberPreKeyUsed(lastResortId, 1, baseKey),
    ).rejects.toThrow(/replay/);
  });

  it('commits a decrypted message and its session state in one transaction, or neither', async () => {
    const alice = await enrol('alice', false);
    const bob = await enrol('bob', true);
    await processPreKeyBundle(
      await bundleOf(bob, 1),
      bob.address,
      alice.address,
      alice.stores.session,
      alice.stores.identity,
    );
    const message = await send(alice, bob, 'stored atomically');
    await expect(
      runInAsyncTransaction(bob.profile.db, async () => {
        await receive(bob, alice, message);
        throw new Error('crash before the message was stored');
      }),
    ).rejects.toThrow(/crash/);
    expect(await bob.stores.session.getSession(alice.address)).toBeNull();
    // Rolled back, so the same envelope still decrypts on retry.
    const text = await runInAsyncTransaction(bob.profile.db, () => receive(bob, alice, message));
    expect(text).toBe('stored atomically');
    expect(await bob.stores.session.getSession(alice.address)).not.toBeNull();
  });

  it('blocks sending after an identity change until the user acknowledges it', async () => {
    const alice = await enrol('alice', false);
    const bob = await enrol('bob', true);
    const changed: string[] = [];
    const aliceIdentity = createSignalStores(alice.profile.db, {
      onIdentityChanged: (id) => changed.push(id),
    }).identity;
    await processPreKeyBundle(
      await bundleOf(bob, 1),
      bob.address,
      alice.address,
      alice.stores.session,
      aliceIdentity,
    );
    await send(alice, bob, 'before');
    // Bob re-installs: a new identity key for the same account.
    const newKey = IdentityKeyPair.generate().publicKey;
    expect(await aliceIdentity.saveIdentity(bob.address, newKey)).toBe(
      IdentityChange.ReplacedExisting,
    );
    expect(changed).toEqual(['bob']);
    expect(aliceIdentity.remoteIdentity('bob')?.trust).toBe('changed');
    await expect(
      signalEncrypt(
        encoder.encode('x'),
        bob.address,
        alice.address,
        alice.stores.session,
        aliceIdentity,
      ),
    ).rejects.toMatchObject({ code: ErrorCode.UntrustedIdentity });
    expect(aliceIdentity.acknowledgeIdentity('bob')).toBe(true);
    expect(await aliceIdentity.isTrustedIdentity(bob.address, newKey, Direction.Sending)).toBe(
      true,
    );
  });
});
