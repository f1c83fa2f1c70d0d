import { randomBytes } from 'node:crypto';

/** What the relay knows of one attachment blob: sizes, who may fetch it, never a key or name. */
export interface BlobMeta {
  readonly id: string;
  readonly ownerAccountId: string;
  readonly org: string;
  readonly size: number;
  readonly chunkCount: number;
  /** Accounts whose devices may fetch it (the uploader's own included). */
  readonly readers: readonly string[];
  /** `accountId:deviceId` of the recipient devices that have not yet said they have it. */
  pending: string[];
  received: number[];
  complete: boolean;
  readonly createdAt: number;
  readonly expiresAt: number;
}

/**
 * Where a relay keeps attachment ciphertext: files in its data folder (SQLite, one node) or
 * PostgreSQL (several nodes, every one serving every blob). Work on one blob is serialised by
 * `exclusive` (two devices acknowledging at once, possibly through different nodes).
 */
export interface BlobStore {
  create(input: Omit<BlobMeta, 'id' | 'pending' | 'received' | 'complete'>): Promise<BlobMeta>;
  /** The blob, or null when unknown or past its expiry (then deleted). */
  get(id: string, now: number): Promise<BlobMeta | null>;
  /** Runs `work` alone for this blob: reads of meta and their writes do not interleave. */
  exclusive<T>(id: string, work: () => Promise<T>): Promise<T>;
  /**
   * Stores one chunk's ciphertext, outside the blob's lock so that an uploader's chunks in flight
   * are written side by side. The same index written twice leaves one whole chunk. A blob removed
   * meanwhile is not an error here: markReceived's caller finds it gone.
   */
  writeChunk(id: string, index: number, data: Uint8Array): Promise<void>;
  /** Records a written chunk in the blob's meta; run it inside `exclusive`. */
  markReceived(meta: BlobMeta, index: number): Promise<BlobMeta>;
  readChunk(meta: BlobMeta, index: number): Promise<Buffer>;
  /** Writes `pending` and `complete`. */
  update(meta: BlobMeta): Promise<void>;
  remove(id: string): Promise<void>;
  /** Deletes every blob past its expiry (retention); returns how many went. */
  sweep(now: number): Promise<number>;
  close(): Promise<void>;
}

/** A new attachment id: 24 random bytes, base64url (32 characters). */
export function newBlobId(): string {
  return randomBytes(24).toString('base64url');
}

/** Attachment ids as issued by newBlobId (a wider range kept for older ids). */
export function isBlobId(id: string): boolean {
  return /^[A-Za-z0-9_-]{22,43}$/.test(id);
}
