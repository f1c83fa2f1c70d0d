import {
  KEMKeyPair,
  KyberPreKeyRecord,
  PreKeyRecord,
  PrivateKey,
  SignedPreKeyRecord,
} from '@signalapp/libsignal-client';
import type { SignalStores } from './signal-stores.js';

/**
 * Generation of the prekeys a device publishes: one-time EC prekeys, a signed EC prekey and
 * Kyber prekeys (one-time and last resort), each signed by the identity key so that the relay
 * cannot substitute its own. Ids continue from the highest stored id.
 */
export async function generatePreKeys(
  stores: SignalStores,
  count: number,
): Promise<PreKeyRecord[]> {
  const first = stores.preKey.maxId() + 1;
  const records: PreKeyRecord[] = [];
  for (let id = first; id < first + count; id += 1) {
    const privateKey = PrivateKey.generate();
    const record = PreKeyRecord.new(id, privateKey.getPublicKey(), privateKey);
    await stores.preKey.savePreKey(id, record);
    records.push(record);
  }
  return records;
}

export async function generateSignedPreKey(
  stores: SignalStores,
  id: number,
  now: number = Date.now(),
): Promise<SignedPreKeyRecord> {
  const identity = await stores.identity.getIdentityKey();
  const privateKey = PrivateKey.generate();
  const publicKey = privateKey.getPublicKey();
  const record = SignedPreKeyRecord.new(
    id,
    now,
    publicKey,
    privateKey,
    identity.sign(publicKey.serialize()),
  );
  await stores.signedPreKey.saveSignedPreKey(id, record);
  return record;
}

export async function generateKyberPreKeys(
  stores: SignalStores,
  count: number,
  now: number = Date.now(),
): Promise<KyberPreKeyRecord[]> {
  const records: KyberPreKeyRecord[] = [];
  const first = stores.kyberPreKey.maxId() + 1;
  for (let id = first; id < first + count; id += 1) {
    const record = await newKyberPreKey(stores, id, now);
    await stores.kyberPreKey.saveKyberPreKey(id, record);
    records.push(record);
  }
  return records;
}

export async function generateLastResortKyberPreKey(
  stores: SignalStores,
  now: number = Date.now(),
): Promise<KyberPreKeyRecord> {
  const id = stores.kyberPreKey.maxId() + 1;
  const record = await newKyberPreKey(stores, id, now);
  stores.kyberPreKey.saveLastResortKyberPreKey(id, record);
  return record;
}

async function newKyberPreKey(
  stores: SignalStores,
  id: number,
  now: number,
): Promise<KyberPreKeyRecord> {
  const identity = await stores.identity.getIdentityKey();
  const keyPair = KEMKeyPair.generate();
  return KyberPreKeyRecord.new(id, now, keyPair, identity.sign(keyPair.getPublicKey().serialize()));
}
