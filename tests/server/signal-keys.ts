import {
  IdentityKeyPair,
  KEMKeyPair,
  KyberPreKeyRecord,
  PreKeyRecord,
  PrivateKey,
  SignedPreKeyRecord,
} from '@signalapp/libsignal-client';

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

/** A device's real libsignal key material and the enrolment payload the relay expects. */
export interface TestDeviceKeys {
  identity: IdentityKeyPair;
  registrationId: number;
  preKeys: PreKeyRecord[];
  signedPreKey: SignedPreKeyRecord;
  kyberPreKeys: KyberPreKeyRecord[];
  kyberLastResort: KyberPreKeyRecord;
}

export function generateDeviceKeys(oneTime = 3, firstKeyId = 1): TestDeviceKeys {
  const identity = IdentityKeyPair.generate();
  const signed = PrivateKey.generate();
  const signedPreKey = SignedPreKeyRecord.new(
    1,
    Date.now(),
    signed.getPublicKey(),
    signed,
    identity.privateKey.sign(signed.getPublicKey().serialize()),
  );
  const kyber = (id: number) => {
    const pair = KEMKeyPair.generate();
    return KyberPreKeyRecord.new(
      id,
      Date.now(),
      pair,
      identity.privateKey.sign(pair.getPublicKey().serialize()),
    );
  };
  const preKeys = Array.from({ length: oneTime }, (_, i) => {
    const key = PrivateKey.generate();
    return PreKeyRecord.new(firstKeyId + i, key.getPublicKey(), key);
  });
  return {
    identity,
    registrationId: 1 + Math.floor(Math.random() * 16000),
    preKeys,
    signedPreKey,
    kyberPreKeys: Array.from({ length: oneTime }, (_, i) => kyber(firstKeyId + i)),
    kyberLastResort: kyber(0xffffff),
  };
}

export function signedKeyJson(record: SignedPreKeyRecord | KyberPreKeyRecord) {
  return {
    keyId: record.id(),
    publicKey: b64(record.publicKey().serialize()),
    signature: b64(record.signature()),
  };
}

export function preKeyJson(record: PreKeyRecord) {
  return { keyId: record.id(), publicKey: b64(record.publicKey().serialize()) };
}

export function enrolPayload(code: string, keys: TestDeviceKeys) {
  return {
    code,
    registrationId: keys.registrationId,
    identityKey: b64(keys.identity.publicKey.serialize()),
    signedPreKey: signedKeyJson(keys.signedPreKey),
    kyberLastResortPreKey: signedKeyJson(keys.kyberLastResort),
    preKeys: keys.preKeys.map(preKeyJson),
    kyberPreKeys: keys.kyberPreKeys.map(signedKeyJson),
  };
}
