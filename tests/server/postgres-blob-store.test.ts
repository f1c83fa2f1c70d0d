import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresBlobStore } from '../../server/blobs/postgres-blob-store.js';
import { PostgresRelayStorage } from '../../server/storage/postgres-relay-storage.js';
import { createTestDatabase, postgresUrl } from './relay-backends.js';

// The attachment store of a relay on PostgreSQL, below the HTTP handlers: expiry and exclusivity.

describe.skipIf(!postgresUrl)('attachment blobs in PostgreSQL', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let storage: PostgresRelayStorage;
  let a: PostgresBlobStore;
  let b: PostgresBlobStore;
  const base = { ownerAccountId: 'acc-a', org: 'default', size: 10, readers: ['acc-a'] };

  beforeAll(async () => {
    database = await createTestDatabase();
    storage = await PostgresRelayStorage.open(database.url, { migrate: true });
    // Two stores with their own pools, as two nodes have.
    a = new PostgresBlobStore(storage.openPool(2, () => undefined));
    b = new PostgresBlobStore(storage.openPool(2, () => undefined));
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await storage?.close();
    await database?.drop();
  });

  const counts = async () =>
    (
      await storage.pool.query<{ blobs: number; chunks: number }>(
        `SELECT (SELECT COUNT(*) FROM attachment_blobs) AS blobs,
                (SELECT COUNT(*) FROM blob_chunks) AS chunks`,
      )
    ).rows[0];

  it('a blob past its expiry is gone, with its chunks: on read, and by the sweep', async () => {
    const now = Date.now();
    const read = await a.create({ ...base, chunkCount: 1, createdAt: now, expiresAt: now + 1000 });
    await a.writeChunk(read.id, 0, randomBytes(100));
    await a.markReceived(read, 0);
    const swept = await a.create({ ...base, chunkCount: 2, createdAt: now, expiresAt: now + 2000 });
    await a.writeChunk(swept.id, 0, randomBytes(100));
    await a.markReceived(swept, 0);
    await a.writeChunk(swept.id, 1, randomBytes(100));
    await a.markReceived(swept, 1);
    const kept = await a.create({ ...base, chunkCount: 1, createdAt: now, expiresAt: now + 9e6 });
    expect(await counts()).toEqual({ blobs: 3, chunks: 3 });
    expect((await b.get(read.id, now))?.received).toEqual([0]);
    expect(await b.get(read.id, now + 1000)).toBeNull();
    expect(await counts()).toEqual({ blobs: 2, chunks: 2 });
    expect(await b.sweep(now + 2000)).toBe(1);
    expect(await counts()).toEqual({ blobs: 1, chunks: 0 });
    expect(await a.get(kept.id, now + 2000)).not.toBeNull();
    await a.remove(kept.id);
    expect(await counts()).toEqual({ blobs: 0, chunks: 0 });
  });

  it('exclusive work on one blob through two stores does not interleave', async () => {
    const now = Date.now();
    const pending = Array.from({ length: 8 }, (_, i) => `acc-${i}:1`);
    const meta = await a.create({ ...base, chunkCount: 1, createdAt: now, expiresAt: now + 9e6 });
    meta.pending = pending;
    await a.update(meta);
    // Each removes one device from `pending` by read, pause, write: without the lock, writes
    // based on stale reads would bring removed devices back.
    await Promise.all(
      pending.map((device, i) =>
        (i % 2 === 0 ? a : b).exclusive(meta.id, async () => {
          const store = i % 2 === 0 ? a : b;
          const current = await store.get(meta.id, Date.now());
          await new Promise((r) => setTimeout(r, 20));
          current!.pending = current!.pending.filter((d) => d !== device);
          await store.update(current!);
        }),
      ),
    );
    expect((await a.get(meta.id, Date.now()))?.pending).toEqual([]);
  });
});
