import { createHash, createHmac, randomInt } from 'node:crypto';

// A link code (docs/protocol.md §2b): typed or scanned on the new PC, never sent to the relay.
// Both PCs derive from it a lookup the relay indexes and a proof key the relay never sees.

// Crockford's base32: no I, L, O, U, so a code read off a screen is unambiguous.
const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** 16 characters (80 bits) shown as XXXX-XXXX-XXXX-XXXX. */
export function newLinkCode(): string {
  const chars = Array.from({ length: 16 }, () => alphabet[randomInt(alphabet.length)]);
  return [0, 4, 8, 12].map((i) => chars.slice(i, i + 4).join('')).join('-');
}

/** Case, spaces and dashes don't matter; O, I and L count as 0, 1 and 1. */
export function normaliseLinkCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
}

/** Whether text can be a link code at all, before anything is sent. */
export function isLinkCodeShape(code: string): boolean {
  const normal = normaliseLinkCode(code);
  return normal.length === 16 && [...normal].every((c) => alphabet.includes(c));
}

/** What the relay indexes (it stores only this value's SHA-256). */
export function linkLookup(code: string): Buffer {
  return createHash('sha256')
    .update(`pmsg-link-lookup:${normaliseLinkCode(code)}`)
    .digest();
}

/** The new PC's proof that it holds the code, bound to its identity key and name. */
export function linkProof(code: string, identityKey: Uint8Array, deviceName: string): Buffer {
  const key = createHash('sha256')
    .update(`pmsg-link-proof:${normaliseLinkCode(code)}`)
    .digest();
  return createHmac('sha256', key)
    .update(identityKey)
    .update(Buffer.from(deviceName, 'utf8'))
    .digest();
}
