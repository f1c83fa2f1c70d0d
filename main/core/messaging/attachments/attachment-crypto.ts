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
    const plain = decipher.update(data.subarray(0, data.length - tagBytes));
    // GCM's final() only checks the tag (it returns no bytes): no copy of the chunk to join it.
    decipher.final();
    return plain;
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
  const digest = new OrderedDigest(parts.length, () => null);
  parts.forEach((part, index) => digest.add(index, part));
  digest.check(sha256, size);
}

/**
 * The SHA-256 of a file whose decrypted chunks arrive in any order (a window of downloads in
 * flight): each is hashed as soon as every chunk before it has been, so only the few that came
 * early are held, and the whole file is never read back or kept to be hashed at the end.
 * `earlier(index)` gives a chunk that is not coming (kept by an earlier pass), or null.
 */
export class OrderedDigest {
  private readonly hash = createHash('sha256');
  private readonly early = new Map<number, Buffer>();
  private next = 0;
  private length = 0;

  constructor(
    private readonly total: number,
    private readonly earlier: (index: number) => Buffer | null,
  ) {}

  add(index: number, plain: Buffer): void {
    this.early.set(index, plain);
    this.drain();
  }

  /** Throws unless every chunk was hashed and the file matches the sender's size and digest. */
  check(sha256: string, size: number): void {
    this.drain();
    if (this.next < this.total || this.length !== size || this.hash.digest('hex') !== sha256) {
      throw tampered();
    }
  }

  private drain(): void {
    while (this.next < this.total) {
      const part = this.early.get(this.next) ?? this.earlier(this.next);
      if (!part) return;
      this.early.delete(this.next);
      this.hash.update(part);
      this.length += part.length;
      this.next += 1;
    }
  }
}

const tampered = () =>
  new MessengerError(
    'invalid_input',
    'The attachment does not match what the sender sent (damaged or altered); ask them to send it again.',
  );
