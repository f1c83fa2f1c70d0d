import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MessengerError } from '../../shared/errors.js';
import { sanitiseFileName } from '../core/messaging/attachments/file-name.js';
import type { AttachmentType } from '../core/messaging/attachments/file-type.js';

/** The bytes of `--file`, with a clear error for a missing, unreadable or oversize file. */
export function readAttachmentFile(file: string, maxBytes: number): Buffer {
  let size: number;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw new Error('not a file');
    size = stat.size;
  } catch {
    throw new MessengerError('invalid_input', `--file ${file}: there is no readable file there.`);
  }
  if (size > maxBytes) {
    throw new MessengerError(
      'invalid_input',
      `--file ${file} is ${(size / 1_048_576).toFixed(1)} MB; the practice allows attachments up to ${maxBytes / 1_048_576} MB.`,
    );
  }
  return readFileSync(file);
}

/**
 * Writes a received file into `dir` under its (already cleaned) name, never over an existing
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

/** `--save-to` must be an existing folder. */
export function saveFolder(dir: string): string {
  try {
    if (statSync(dir).isDirectory()) return path.resolve(dir);
  } catch {
    // reported below
  }
  throw new MessengerError(
    'invalid_input',
    `--save-to ${dir}: there is no such folder; create it first.`,
  );
}
