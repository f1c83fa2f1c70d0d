import { closeSync, fstatSync, fsync, openSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';

/**
 * fsyncs a WAL-mode SQLite database's -wal file on the libuv thread pool, so that the group
 * commit (which commits with synchronous=NORMAL, writing the WAL without syncing it) is made
 * durable without blocking the event loop for the length of an fsync (about 13 ms on the shared
 * machine, 1.6 s of the relay benchmark's 10 s). Callers waiting for durability share one fsync:
 * whoever asks while one is under way waits for the next, which covers every write made before
 * it starts. An fsync covers the file's pages whichever descriptor wrote them.
 */
export class WalSync {
  private fd: number | null = null;
  private inode = 0;
  private running: Promise<void> | null = null;
  private next: Promise<void> | null = null;

  constructor(private readonly databaseFile: string) {}

  /** Resolves once everything written to the WAL before this call is on disk. */
  sync(): Promise<void> {
    if (!this.running) {
      this.running = this.syncNow().finally(() => (this.running = null));
      return this.running;
    }
    // The running fsync may have started before the caller's write: wait for a later one.
    this.next ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.next = null;
        return this.sync();
      });
    return this.next;
  }

  /** Waits for the fsyncs under way, then releases the descriptor. */
  async close(): Promise<void> {
    await Promise.allSettled([this.running, this.next]);
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private async syncNow(): Promise<void> {
    const wal = `${this.databaseFile}-wal`;
    // SQLite keeps the WAL while a connection is open, but check we hold today's file, not one
    // deleted when every connection closed and recreated since.
    const current = statSync(wal).ino;
    if (this.fd === null || current !== this.inode) {
      if (this.fd !== null) closeSync(this.fd);
      // Read-write: Windows refuses FlushFileBuffers on a handle opened read-only.
      this.fd = openSync(wal, 'r+');
      this.inode = fstatSync(this.fd).ino;
      // A new WAL's directory entry must be durable too (SQLite's FULL syncs the directory then).
      // Windows cannot open a directory; NTFS journals the entry itself.
      if (process.platform !== 'win32') await syncDirectory(path.dirname(wal));
    }
    await fsyncFd(this.fd);
  }
}

async function syncDirectory(directory: string): Promise<void> {
  const dir = await open(directory, 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

function fsyncFd(fd: number): Promise<void> {
  return new Promise((resolve, reject) =>
    fsync(fd, (error) => (error ? reject(error) : resolve())),
  );
}
