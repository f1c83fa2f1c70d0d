import { KEMPublicKey, PublicKey } from '@signalapp/libsignal-client';
import type { OneTimeKey, SignedKey } from './storage/relay-storage.js';
import { RelayError } from './relay-error.js';

// The relay checks keys before storing them so that a broken client fails at upload, with a
// clear 400, instead of every peer failing later when it processes the bundle. Signed keys are
// checked against the device's identity key exactly as libsignal checks them in a bundle.

function parseEc(bytes: Uint8Array, field: string): PublicKey {
  try {
    return PublicKey.deserialize(toArrayBuffer(bytes));
  } catch {
    throw new RelayError('invalid_input', `${field}: not a serialized Curve25519 public key.`);
  }
}

function checkSigned(identity: PublicKey, key: SignedKey, field: string, kem: boolean): void {
  try {
    if (kem) KEMPublicKey.deserialize(toArrayBuffer(key.publicKey));
    else PublicKey.deserialize(toArrayBuffer(key.publicKey));
  } catch {
    throw new RelayError(
      'invalid_input',
      `${field}.publicKey: not a serialized ${kem ? 'Kyber' : 'Curve25519'} public key.`,
    );
  }
  if (!identity.verify(toArrayBuffer(key.publicKey), toArrayBuffer(key.signature))) {
    throw new RelayError(
      'invalid_input',
      `${field}.signature: does not verify with the device's identity key.`,
    );
  }
}

export interface KeysToVerify {
  signedPreKey?: SignedKey;
  kyberLastResortPreKey?: SignedKey;
  preKeys?: OneTimeKey[];
  kyberPreKeys?: SignedKey[];
}

export function verifyIdentityKey(identityKey: Uint8Array): PublicKey {
  return parseEc(identityKey, 'identityKey');
}

export function verifyKeys(identityKey: Uint8Array | PublicKey, keys: KeysToVerify): void {
  const identity = identityKey instanceof PublicKey ? identityKey : verifyIdentityKey(identityKey);
  if (keys.signedPreKey) checkSigned(identity, keys.signedPreKey, 'signedPreKey', false);
  if (keys.kyberLastResortPreKey) {
    checkSigned(identity, keys.kyberLastResortPreKey, 'kyberLastResortPreKey', true);
  }
  keys.preKeys?.forEach((key, index) => parseEc(key.publicKey, `preKeys.${index}.publicKey`));
  keys.kyberPreKeys?.forEach((key, index) =>
    checkSigned(identity, key, `kyberPreKeys.${index}`, true),
  );
}

function toArrayBuffer(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}
