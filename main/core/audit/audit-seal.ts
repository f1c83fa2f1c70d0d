import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { PrivateKey, PublicKey } from '@signalapp/libsignal-client';
import { z } from 'zod';

/**
 * Seals an audit event to the practice's audit readers' devices (docs/protocol.md §13), so the
 * relay stores what it cannot read. A fresh content key encrypts the event (AES-256-GCM); it is
 * wrapped for each reader device with a key agreed between a one-off key pair and the reader
 * device's Signal identity key (X25519, HKDF-SHA-256), as in an ECIES "sealed box".
 */

export interface AuditReaderDevice {
  readonly accountId: string;
  readonly deviceId: number;
  /** The device's serialized Signal identity public key (33 bytes). */
  readonly identityKey: Uint8Array;
}

const sealedSchema = z.object({
  v: z.literal(1),
  epk: z.string(),
  iv: z.string(),
  ct: z.string(),
  keys: z.array(z.object({ a: z.string(), d: z.number().int(), iv: z.string(), k: z.string() })),
});

const contentAad = Buffer.from('pmsg-audit-v1');
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

function keyFor(shared: Uint8Array, epk: Uint8Array, reader: Uint8Array): Buffer {
  return Buffer.from(
    hkdfSync('sha256', shared, Buffer.concat([epk, reader]), 'pmsg audit v1 key wrap', 32),
  );
}

function encrypt(key: Uint8Array, plain: Uint8Array, aad: Uint8Array) {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  const ct = Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  return { iv, ct };
}

function decrypt(key: Uint8Array, iv: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Buffer {
  const data = Buffer.from(sealed);
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(aad);
  decipher.setAuthTag(data.subarray(data.length - 16));
  return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]);
}

/** The sealed bytes of one event for these reader devices. */
export function sealAuditEvent(plain: Uint8Array, readers: readonly AuditReaderDevice[]): Buffer {
  if (readers.length === 0) throw new Error('An audit record needs at least one reader.');
  const contentKey = randomBytes(32);
  const content = encrypt(contentKey, plain, contentAad);
  const ephemeral = PrivateKey.generate();
  const epk = ephemeral.getPublicKey().serialize();
  const keys = readers.map((reader) => {
    const readerKey = PublicKey.deserialize(Buffer.from(reader.identityKey));
    const wrapKey = keyFor(ephemeral.agree(readerKey), epk, readerKey.serialize());
    const aad = Buffer.from(`${reader.accountId}.${reader.deviceId}`);
    const wrapped = encrypt(wrapKey, contentKey, aad);
    return { a: reader.accountId, d: reader.deviceId, iv: b64(wrapped.iv), k: b64(wrapped.ct) };
  });
  return Buffer.from(
    JSON.stringify({ v: 1, epk: b64(epk), iv: b64(content.iv), ct: b64(content.ct), keys }),
  );
}

/**
 * Opens a sealed record with this device's identity private key; null when the record was not
 * sealed to this device (it joined after the event) or is not a sealed record at all.
 */
export function openAuditEvent(
  sealed: Uint8Array,
  self: { accountId: string; deviceId: number; identityPrivateKey: PrivateKey },
): Buffer | null {
  let parsed: z.infer<typeof sealedSchema>;
  try {
    parsed = sealedSchema.parse(JSON.parse(Buffer.from(sealed).toString('utf8')));
  } catch {
    return null;
  }
  const entry = parsed.keys.find((k) => k.a === self.accountId && k.d === self.deviceId);
  if (!entry) return null;
  try {
    const epk = Buffer.from(parsed.epk, 'base64');
    const own = self.identityPrivateKey.getPublicKey().serialize();
    const wrapKey = keyFor(self.identityPrivateKey.agree(PublicKey.deserialize(epk)), epk, own);
    const contentKey = decrypt(
      wrapKey,
      Buffer.from(entry.iv, 'base64'),
      Buffer.from(entry.k, 'base64'),
      Buffer.from(`${self.accountId}.${self.deviceId}`),
    );
    return decrypt(
      contentKey,
      Buffer.from(parsed.iv, 'base64'),
      Buffer.from(parsed.ct, 'base64'),
      contentAad,
    );
  } catch {
    return null;
  }
}
