import { AsyncLocalStorage } from 'node:async_hooks';
import type pg from 'pg';
import { isBlobId, newBlobId, type BlobMeta, type BlobStore } from './blob-store.js';
import { KeyedQueue } from './keyed-queue.js';

/** PostgreSQL migration 9: blob metadata, and the ciphertext chunks deleted with their blob. */
export const postgresBlobMigration = `
  CREATE TABLE attachment_blobs (
    blob_id TEXT PRIMARY KEY,
    owner_account_id TEXT NOT NULL,
    org TEXT NOT NULL,
    size BIGINT NOT NULL,
    chunk_count INTEGER NOT NULL,
    readers TEXT[] NOT NULL,
    pending TEXT[] NOT NULL,
    complete BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
  );
  CREATE INDEX attachment_blobs_by_expiry ON attachment_blobs (expires_at);
  CREATE TABLE blob_chunks (
    blob_id TEXT NOT NULL REFERENCES attachment_blobs (blob_id) ON DELETE CASCADE,
    chunk_index INTEGER NOT NULL,
    data BYTEA NOT NULL,
    PRIMARY KEY (blob_id, chunk_index)
  );
`;

/** Advisory-lock class of blob work (an arbitrary constant); the object is the id's hash. */
const blobLockClass = 0x626c6f62;

interface BlobRow {
  blob_id: string;
  owner_account_id: string;
  org: string;
  size: number;
  chunk_count: number;
  readers: string[];
  pending: string[];
  complete: boolean;
  created_at: number;
  expires_at: number;
  received: number[];
}

type Queryable = Pick<pg.Pool, 'query'>;

/**
 * Attachment ciphertext in the relay's PostgreSQL database, so every node serves every blob.
 * `exclusive` holds a transaction-scoped advisory lock for the blob: two devices acknowledging
 * through different nodes are serialised like two on one node. The store has its own small pool
 * so that work holding a blob's connection never waits on the relay's main pool for it.
 */
export class PostgresBlobStore implements BlobStore {
  private readonly queue = new KeyedQueue();
  /** The connection of the `exclusive` transaction the current call runs in, if any. */
  private readonly held = new AsyncLocalStorage<pg.PoolClient>();

  constructor(private readonly pool: pg.Pool) {}

  private get db(): Queryable {
    return this.held.getStore() ?? this.pool;
  }

  async create(
    input: Omit<BlobMeta, 'id' | 'pending' | 'received' | 'complete'>,
  ): Promise<BlobMeta> {
    const meta: BlobMeta = {
      ...input,
      id: newBlobId(),
      pending: [],
      received: [],
      complete: false,
    };
    await this.db.query(
      `INSERT INTO attachment_blobs (blob_id, owner_account_id, org, size, chunk_count, readers,
         pending, complete, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, false, $8, $9)`,
      [
        meta.id,
        meta.ownerAccountId,
        meta.org,
        meta.size,
        meta.chunkCount,
        meta.readers,
        meta.pending,
        meta.createdAt,
        meta.expiresAt,
      ],
    );
    return meta;
  }

  async get(id: string, now: number): Promise<BlobMeta | null> {
    if (!isBlobId(id)) return null;
    const rows = await this.db.query<BlobRow>(
      `SELECT b.*, COALESCE((SELECT array_agg(c.chunk_index ORDER BY c.chunk_index)
                             FROM blob_chunks c WHERE c.blob_id = b.blob_id), '{}') AS received
       FROM attachment_blobs b WHERE b.blob_id = $1`,
      [id],
    );
    const row = rows.rows[0];
    if (row === undefined) return null;
    if (row.expires_at <= now) {
      await this.remove(id);
      return null;
    }
    return {
      id: row.blob_id,
      ownerAccountId: row.owner_account_id,
      org: row.org,
      size: row.size,
      chunkCount: row.chunk_count,
      readers: row.readers,
      pending: row.pending,
      received: row.received,
      complete: row.complete,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
    };
  }

  exclusive<T>(id: string, work: () => Promise<T>): Promise<T> {
    // Serialised in this process first, so a node's own callers never queue on the database lock.
    return this.queue.run(id, async () => {
      const client = await this.pool.connect();
      try {
        await client.query('BEGIN');
        await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [blobLockClass, id]);
        const result = await this.held.run(client, work);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    });
  }

  async writeChunk(id: string, index: number, data: Uint8Array): Promise<void> {
    try {
      await this.db.query(
        `INSERT INTO blob_chunks (blob_id, chunk_index, data) VALUES ($1, $2, $3)
         ON CONFLICT (blob_id, chunk_index) DO UPDATE SET data = excluded.data`,
        [id, index, Buffer.from(data.buffer, data.byteOffset, data.byteLength)],
      );
    } catch (error) {
      // 23503, foreign key: the blob was removed meanwhile.
      if ((error as { code?: string }).code !== '23503') throw error;
    }
  }

  /** `received` is read from blob_chunks, so a written chunk is already recorded. */
  markReceived(meta: BlobMeta, index: number): Promise<BlobMeta> {
    if (!meta.received.includes(index)) {
      meta.received = [...meta.received, index].sort((a, b) => a - b);
    }
    return Promise.resolve(meta);
  }

  async readChunk(meta: BlobMeta, index: number): Promise<Buffer> {
    const rows = await this.db.query<{ data: Buffer }>(
      'SELECT data FROM blob_chunks WHERE blob_id = $1 AND chunk_index = $2',
      [meta.id, index],
    );
    const row = rows.rows[0];
    if (row === undefined) throw new Error(`attachment chunk ${index} is missing`);
    return row.data;
  }

  async update(meta: BlobMeta): Promise<void> {
    await this.db.query(
      'UPDATE attachment_blobs SET pending = $2, complete = $3 WHERE blob_id = $1',
      [meta.id, meta.pending, meta.complete],
    );
  }

  async remove(id: string): Promise<void> {
    await this.db.query('DELETE FROM attachment_blobs WHERE blob_id = $1', [id]);
  }

  async sweep(now: number): Promise<number> {
    const result = await this.db.query('DELETE FROM attachment_blobs WHERE expires_at <= $1', [
      now,
    ]);
    return result.rowCount ?? 0;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
