import { z } from 'zod';

// Standard base64 (RFC 4648 section 4) with padding. Checked by shape here, because shared/ has
// no Buffer; the relay decodes after validation and the decoded length is then exact.
const base64Shape = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function decodedBase64Length(value: string): number {
  const padding = value.endsWith('==') ? 2 : value.endsWith('=') ? 1 : 0;
  return (value.length / 4) * 3 - padding;
}

/** A base64 string whose decoded length is within [min, max] bytes. */
export function base64Bytes(min: number, max: number) {
  return z
    .string()
    .max(Math.ceil(max / 3) * 4)
    .regex(base64Shape, 'must be standard base64 with padding')
    .refine(
      (value) => {
        const length = decodedBase64Length(value);
        return length >= min && length <= max;
      },
      { message: `must decode to ${min === max ? `${min}` : `${min}..${max}`} bytes` },
    );
}

/** A libsignal serialized Curve25519 public key: type byte 0x05 then 32 bytes. */
export const ecPublicKey = base64Bytes(33, 33);
/** An XEdDSA signature. */
export const signature = base64Bytes(64, 64);
/** A libsignal serialized Kyber public key (type byte then the key; 1569 bytes for Kyber1024). */
export const kemPublicKey = base64Bytes(800, 1600);

export const uint32 = z.number().int().min(0).max(0xffff_ffff);
/** libsignal stores one-time EC prekey ids in 24 bits. */
export const uint24 = z.number().int().min(0).max(0xff_ffff);
