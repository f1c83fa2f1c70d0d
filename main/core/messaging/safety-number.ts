import { Fingerprint, type PublicKey } from '@signalapp/libsignal-client';

/** libsignal's iteration count and version for displayable fingerprints (as Signal uses). */
const iterations = 5200;
const version = 2;

export interface SafetyNumber {
  /** 60 digits; the same on both sides of the conversation. */
  readonly digits: string;
  /** The scannable form (public-key derived, not secret), base64, for a QR code. */
  readonly qrPayload: string;
}

/**
 * The safety number of a pair of people, from their account ids and identity keys. libsignal
 * orders the two halves so both sides compute the same 60 digits.
 */
export function safetyNumber(
  local: { accountId: string; identityKey: PublicKey },
  remote: { accountId: string; identityKey: PublicKey },
): SafetyNumber {
  const fingerprint = Fingerprint.new(
    iterations,
    version,
    Buffer.from(local.accountId, 'utf8'),
    local.identityKey,
    Buffer.from(remote.accountId, 'utf8'),
    remote.identityKey,
  );
  return {
    digits: fingerprint.displayableFingerprint().toString(),
    qrPayload: Buffer.from(fingerprint.scannableFingerprint().toBuffer()).toString('base64'),
  };
}
