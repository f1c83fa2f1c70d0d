// The body of POST /v1/enrol for a simulated device: fresh keys, no one-time prekeys (the relay
// benchmarks never fetch bundles), so enrolling many devices stays cheap.
import { IdentityKeyPair, KEMKeyPair, PrivateKey } from '@signalapp/libsignal-client';

export const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

export function enrolBody(code: string) {
  const identity = IdentityKeyPair.generate();
  const signed = PrivateKey.generate().getPublicKey().serialize();
  const kyber = KEMKeyPair.generate().getPublicKey().serialize();
  return {
    code,
    registrationId: 1 + Math.floor(Math.random() * 16000),
    identityKey: b64(identity.publicKey.serialize()),
    signedPreKey: {
      keyId: 1,
      publicKey: b64(signed),
      signature: b64(identity.privateKey.sign(signed)),
    },
    kyberLastResortPreKey: {
      keyId: 1,
      publicKey: b64(kyber),
      signature: b64(identity.privateKey.sign(kyber)),
    },
    preKeys: [],
    kyberPreKeys: [],
  };
}
