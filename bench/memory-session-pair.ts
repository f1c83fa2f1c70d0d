// Two Signal parties with in-memory stores and a session from alice to bob: the raw libsignal
// baselines of the messaging benchmarks (no database, no network, nothing durable).
import {
  CiphertextMessageType,
  PreKeyBundle,
  PreKeySignalMessage,
  ProtocolAddress,
  SignalMessage,
  processPreKeyBundle,
  signalDecrypt,
  signalDecryptPreKey,
  signalEncrypt,
  type CiphertextMessage,
} from '@signalapp/libsignal-client';
import { memoryStores } from '../tests/server/memory-signal-store.js';
import { generateDeviceKeys } from '../tests/server/signal-keys.js';

export interface MemoryParty {
  readonly address: ProtocolAddress;
  readonly stores: ReturnType<typeof memoryStores>;
}

/** alice has processed bob's prekey bundle; nothing has been sent yet. */
export async function memorySessionPair(): Promise<{ alice: MemoryParty; bob: MemoryParty }> {
  const aliceKeys = generateDeviceKeys(1);
  const bobKeys = generateDeviceKeys(1);
  const alice = { address: ProtocolAddress.new('alice', 1), stores: memoryStores(aliceKeys) };
  const bob = { address: ProtocolAddress.new('bob', 1), stores: memoryStores(bobKeys) };
  const preKey = bobKeys.preKeys[0]!;
  const kyber = bobKeys.kyberPreKeys[0]!;
  await processPreKeyBundle(
    PreKeyBundle.new(
      bobKeys.registrationId,
      1,
      preKey.id(),
      preKey.publicKey(),
      bobKeys.signedPreKey.id(),
      bobKeys.signedPreKey.publicKey(),
      bobKeys.signedPreKey.signature(),
      bobKeys.identity.publicKey,
      kyber.id(),
      kyber.publicKey(),
      kyber.signature(),
    ),
    bob.address,
    alice.address,
    alice.stores.sessions,
    alice.stores.identities,
  );
  return { alice, bob };
}

export function encryptFor(
  from: MemoryParty,
  to: MemoryParty,
  payload: Uint8Array<ArrayBuffer>,
): Promise<CiphertextMessage> {
  return signalEncrypt(
    payload,
    to.address,
    from.address,
    from.stores.sessions,
    from.stores.identities,
  );
}

/** Decrypts as the wire does it: from the serialized message of either type. */
export function decryptFrom(
  to: MemoryParty,
  from: MemoryParty,
  message: CiphertextMessage,
): Promise<Uint8Array> {
  const { stores } = to;
  if (message.type() === CiphertextMessageType.PreKey) {
    return signalDecryptPreKey(
      PreKeySignalMessage.deserialize(message.serialize()),
      from.address,
      to.address,
      stores.sessions,
      stores.identities,
      stores.preKeys,
      stores.signedPreKeys,
      stores.kyberPreKeys,
    );
  }
  return signalDecrypt(
    SignalMessage.deserialize(message.serialize()),
    from.address,
    to.address,
    stores.sessions,
    stores.identities,
  );
}
