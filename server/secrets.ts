import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/** A device bearer token: 32 random bytes, base64url. Only its SHA-256 is stored. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

// Crockford's base32 alphabet: no I, L, O, U, so a code read aloud or from paper is unambiguous.
const codeAlphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** An enrolment code: 16 characters (80 bits) shown as XXXX-XXXX-XXXX-XXXX. */
export function newEnrolmentCode(): string {
  const chars = Array.from({ length: 16 }, () => codeAlphabet[randomInt(codeAlphabet.length)]);
  return [0, 4, 8, 12].map((i) => chars.slice(i, i + 4).join('')).join('-');
}

/**
 * The form that is hashed: case, dashes and spaces don't matter, and the letters people confuse
 * with digits (O, I, L) count as those digits.
 */
export function normaliseEnrolmentCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
}

export function hashEnrolmentCode(code: string): Buffer {
  return sha256(`pmsg-enrolment-code:${normaliseEnrolmentCode(code)}`);
}

/**
 * Token lookups go by the SHA-256 of the presented token through a unique index, so no secret is
 * compared byte by byte against user input; this re-check in constant time is defence in depth
 * against a backend whose lookup is not an exact match.
 */
export function sameHash(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
