import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { attachmentLimits } from '../../../../shared/protocol/index.js';
import { MessengerError } from '../../../../shared/errors.js';

/** The AES-GCM tag each ciphertext chunk carries after its plaintext share. */
export const chunkTagBytes = 16;
const tagBytes = chunkTagBytes;

/**
 * Each chunk is AES-256-GCM under the file's fresh key. The key is never reused for another
 * file, so the nonce can be the chunk's index; the AAD binds index and total, so the relay can
 * neither reorder, repeat nor truncate chunks without the tag failing.
 */
function nonce(index: number): Buffer {
  const iv = Buffer.alloc(12);
  iv.writeUInt32BE(index, 8);
  return iv;
}
function aad(index: number, total: number): Buffer {
  return Buffer.from(`pmsg-attachment-v1:${index}/${total}`, 'utf8');
}

export interface EncryptedFile {
  readonly key: Buffer;
  readonly sha256: string;
  readonly chunks: Buffer[];
}

export function chunkCountOf(size: number): number {
  return Math.max(1, Math.ceil(size / attachmentLimits.chunkBytes));
}

export function encryptFile(bytes: Uint8Array): EncryptedFile {
  const key = randomBytes(32);
  const total = chunkCountOf(bytes.length);
  const chunks: Buffer[] = [];
  for (let index = 0; index < total; index += 1) {
    const start = index * attachmentLimits.chunkBytes;
    const cipher = createCipheriv('aes-256-gcm', key, nonce(index));
    cipher.setAAD(aad(index, total));
    const body = cipher.update(bytes.subarray(start, start + attachmentLimits.chunkBytes));
    chunks.push(Buffer.concat([body, cipher.final(), cipher.getAuthTag()]));
  }
  return { key, sha256: createHash('sha256').update(bytes).digest('hex'), chunks };
}

export function decryptChunk(key: Buffer, index: number, total: number, data: Buffer): Buffer {
  if (data.length < tagBytes) throw tampered();
  const decipher = createDecipheriv('aes-256-gcm', key, nonce(index));
  decipher.setAAD(aad(index, total));
  decipher.setAuthTag(data.subarray(data.length - tagBytes));
  try {
    return Buffer.concat([
      decipher.update(data.subarray(0, data.length - tagBytes)),
      decipher.final(),
    ]);
  } catch {
    throw tampered();
  }
}

/** The whole file from its chunks, checked against the digest the sender put in the message. */
export function decryptFile(
  key: Buffer,
  chunks: readonly Buffer[],
  sha256: string,
  size: number,
): Buffer {
  const parts = chunks.map((c, i) => decryptChunk(key, i, chunks.length, c));
  checkDigest(parts, sha256, size);
  return Buffer.concat(parts);
}

/** The decrypted parts of a file, in order, against the size and digest the sender sent. */
export function checkDigest(parts: readonly Buffer[], sha256: string, size: number): void {
  const hash = createHash('sha256');
  let length = 0;
  for (const part of parts) {
    hash.update(part);
    length += part.length;
  }
  if (length !== size || hash.digest('hex') !== sha256) throw tampered();
}

const tampered = () =>
  new MessengerError(
    'invalid_input',
    'The attachment does not match what the sender sent (damaged or altered); ask them to send it again.',
  );
