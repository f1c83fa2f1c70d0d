import type {
  KyberPreKeyRecord,
  PreKeyRecord,
  SignedPreKeyRecord,
} from '@signalapp/libsignal-client';
import type { KyberPreKey, PreKey, SignedPreKey } from '../../../shared/protocol/index.js';

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

/** The public halves of prekeys in the relay's JSON form (docs/protocol.md §2). */
export function preKeyJson(record: PreKeyRecord): PreKey {
  return { keyId: record.id(), publicKey: b64(record.publicKey().serialize()) };
}

export function signedPreKeyJson(record: SignedPreKeyRecord): SignedPreKey {
  return {
    keyId: record.id(),
    publicKey: b64(record.publicKey().serialize()),
    signature: b64(record.signature()),
  };
}

export function kyberPreKeyJson(record: KyberPreKeyRecord): KyberPreKey {
  return {
    keyId: record.id(),
    publicKey: b64(record.publicKey().serialize()),
    signature: b64(record.signature()),
  };
}
