import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { MessengerError } from '../../shared/errors.js';
export { saveAttachment } from '../core/messaging/attachments/save-attachment.js';

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

/** `--save-to` (or another option, named by `flag`) must be an existing folder. */
export function saveFolder(dir: string, flag = '--save-to'): string {
  try {
    if (statSync(dir).isDirectory()) return path.resolve(dir);
  } catch {
    // reported below
  }
  throw new MessengerError(
    'invalid_input',
    `${flag} ${dir}: there is no such folder; create it first.`,
  );
}
