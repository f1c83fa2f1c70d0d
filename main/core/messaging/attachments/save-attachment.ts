import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sanitiseFileName } from './file-name.js';
import type { AttachmentType } from './file-type.js';

/**
 * Writes a file into `dir` under its (already cleaned) name, never over an existing
 * file: "scan.pdf", then "scan (1).pdf"... Returns the path written.
 */
export function saveAttachment(dir: string, name: string, type: string, bytes: Buffer): string {
  const safe = sanitiseFileName(name, type as AttachmentType);
  const extension = path.extname(safe);
  const stem = safe.slice(0, safe.length - extension.length);
  for (let n = 0; ; n += 1) {
    const candidate = path.join(dir, n === 0 ? safe : `${stem} (${n})${extension}`);
    if (existsSync(candidate)) continue;
    try {
      writeFileSync(candidate, bytes, { flag: 'wx', mode: 0o600 });
      return candidate;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}
