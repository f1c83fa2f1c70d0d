import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { KeyedQueue } from './keyed-queue.js';
import { isBlobId, newBlobId, type BlobMeta, type BlobStore } from './blob-store.js';

/**
 * Attachment ciphertext on the relay's disk: `<dataDir>/blobs/<id>/meta.json` and one file per
 * chunk. Every write goes to a temporary file renamed into place, so a crash leaves either the
 * old or the new state. Work on one blob is serialised (two devices acknowledging at once).
 */
export class FileBlobStore implements BlobStore {
  private readonly root: string;
  private readonly queue = new KeyedQueue();

  constructor(dataDir: string) {
    this.root = path.join(dataDir, 'blobs');
  }

  async create(
    input: Omit<BlobMeta, 'id' | 'pending' | 'received' | 'complete'>,
  ): Promise<BlobMeta> {
    const id = newBlobId();
    const meta: BlobMeta = { ...input, id, pending: [], received: [], complete: false };
    await mkdir(this.dir(id), { recursive: true, mode: 0o700 });
    await this.writeMeta(meta);
    return meta;
  }

  async get(id: string, now: number): Promise<BlobMeta | null> {
    let meta: BlobMeta;
    try {
      meta = JSON.parse(await readFile(path.join(this.dir(id), 'meta.json'), 'utf8')) as BlobMeta;
    } catch {
      return null;
    }
    if (meta.expiresAt <= now) {
      await this.remove(id);
      return null;
    }
    return meta;
  }

  exclusive<T>(id: string, work: () => Promise<T>): Promise<T> {
    return this.queue.run(id, work);
  }

  async writeChunk(id: string, index: number, data: Uint8Array): Promise<void> {
    const file = this.chunkFile(id, index);
    const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      const handle = await open(temporary, 'w', 0o600);
      try {
        await handle.writeFile(data);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporary, file);
    } catch (error) {
      // The blob's folder is gone: it was removed meanwhile.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }

  async markReceived(meta: BlobMeta, index: number): Promise<BlobMeta> {
    if (!meta.received.includes(index)) {
      meta.received = [...meta.received, index].sort((a, b) => a - b);
      await this.writeMeta(meta);
    }
    return meta;
  }

  readChunk(meta: BlobMeta, index: number): Promise<Buffer> {
    return readFile(this.chunkFile(meta.id, index));
  }

  async update(meta: BlobMeta): Promise<void> {
    await this.writeMeta(meta);
  }

  async remove(id: string): Promise<void> {
    await rm(this.dir(id), { recursive: true, force: true });
  }

  /** Deletes every blob past its expiry (retention); returns how many went. */
  async sweep(now: number): Promise<number> {
    let ids: string[];
    try {
      ids = await readdir(this.root);
    } catch {
      return 0;
    }
    let removed = 0;
    for (const id of ids) {
      const before = await this.exclusive(id, async () => {
        const meta = await this.get(id, now);
        if (meta === null) await this.remove(id);
        return meta;
      });
      if (before === null) removed += 1;
    }
    return removed;
  }

  private dir(id: string): string {
    if (!isBlobId(id)) throw new Error('not an attachment id');
    return path.join(this.root, id);
  }

  private chunkFile(id: string, index: number): string {
    return path.join(this.dir(id), `${index}.chunk`);
  }

  async close(): Promise<void> {
    // Nothing held open: every call opens and closes its own files.
  }

  private async writeMeta(meta: BlobMeta): Promise<void> {
    const file = path.join(this.dir(meta.id), 'meta.json');
    const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(temporary, JSON.stringify(meta), { mode: 0o600 });
    await rename(temporary, file);
  }
}
