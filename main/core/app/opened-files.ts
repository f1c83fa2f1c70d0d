import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * Decrypted copies handed to the system's viewer (attachments.open). A viewer needs a file, so one
 * is written, readable by this OS account only, in a private temporary folder that goes when the
 * profile locks; a received file otherwise exists decrypted only in memory.
 */
export class OpenedFiles {
  private dir: string | null = null;

  constructor(private readonly root: string = tmpdir()) {}

  /** Writes `bytes` as `name` (already cleaned) in a folder of its own; returns the path. */
  write(name: string, bytes: Uint8Array): string {
    this.dir ??= mkdtempSync(path.join(this.root, 'pmsg-open-'));
    const file = path.join(mkdtempSync(path.join(this.dir, 'f-')), name);
    writeFileSync(file, bytes, { mode: 0o600, flag: 'wx' });
    return file;
  }

  clear(): void {
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = null;
  }
}
