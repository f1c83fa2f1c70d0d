import { createHash } from 'node:crypto';
import { Fingerprint, PrivateKey, type PublicKey } from '@signalapp/libsignal-client';

/** libsignal's iteration count and version for displayable fingerprints (as Signal uses). */
const iterations = 5200;
const version = 2;
/** Domain separation of the key that stands for a set of device keys. */
const deviceSetLabel = 'Practice Messenger device set v1';

export interface SafetyNumber {
  /** 60 digits; the same on both sides of the conversation. */
  readonly digits: string;
  /** The scannable form (public-key derived, not secret), base64, for a QR code. */
  readonly qrPayload: string;
}

/** One side of a conversation: a person and the identity keys of all their devices. */
export interface SafetyNumberParty {
  readonly accountId: string;
  readonly identityKeys: readonly PublicKey[];
}

/**
 * The safety number of a pair of people, from their account ids and the identity keys of every
 * device of each (each device has its own key; docs/security.md). A person with one device is
 * represented by that key, so a one-device pair has exactly Signal's safety number; a person
 * with several devices by one key derived from the sorted set (SHA-256, domain-separated, as a
 * Curve25519 private scalar whose public key stands for the set), so adding, removing or
 * changing any device changes the number. libsignal orders the two halves so both sides
 * compute the same 60 digits.
 */
export function safetyNumber(local: SafetyNumberParty, remote: SafetyNumberParty): SafetyNumber {
  const fingerprint = Fingerprint.new(
    iterations,
    version,
    Buffer.from(local.accountId, 'utf8'),
    representativeKey(local.identityKeys),
    Buffer.from(remote.accountId, 'utf8'),
    representativeKey(remote.identityKeys),
  );
  return {
    digits: fingerprint.displayableFingerprint().toString(),
    qrPayload: Buffer.from(fingerprint.scannableFingerprint().toBuffer()).toString('base64'),
  };
}

/** The key that stands for a person's set of device keys (the key itself when there is one). */
export function representativeKey(keys: readonly PublicKey[]): PublicKey {
  const [first] = keys;
  if (!first) throw new Error('A safety number needs at least one identity key.');
  const serialized = keys.map((key) => Buffer.from(key.serialize())).sort(Buffer.compare);
  const unique = serialized.filter((key, i) => !key.equals(serialized[i - 1] ?? Buffer.alloc(0)));
  if (unique.length === 1) return first;
  const hash = createHash('sha256').update(deviceSetLabel, 'utf8');
  for (const key of unique) hash.update(key);
  return PrivateKey.deserialize(hash.digest()).getPublicKey();
}
