import { randomBytes } from 'node:crypto';
import { MessengerError } from '../../../shared/errors.js';
import type { AttachmentType } from '../messaging/attachments/file-type.js';

export interface StagedFile {
  readonly stageId: string;
  readonly name: string;
  readonly type: AttachmentType;
  readonly bytes: Buffer;
}

/** A few drafts at once is plenty; more means a renderer that never sends or discards. */
const maxStaged = 4;

/**
 * Files chosen, dropped or pasted but not sent yet: held in main (the renderer only has a stage
 * id and a preview), so what is sent is exactly what was checked. Forgotten on lock.
 */
export class StagedAttachments {
  private readonly files = new Map<string, StagedFile>();

  add(file: Omit<StagedFile, 'stageId'>): StagedFile {
    // The oldest draft makes way: a renderer that forgot one must not hold memory forever.
    while (this.files.size >= maxStaged) {
      const oldest = this.files.keys().next().value as string;
      this.files.delete(oldest);
    }
    const staged = { ...file, stageId: randomBytes(18).toString('base64url') };
    this.files.set(staged.stageId, staged);
    return staged;
  }

  get(stageId: string): StagedFile {
    const staged = this.files.get(stageId);
    if (!staged) {
      throw new MessengerError(
        'not_found',
        'That file is no longer waiting to be sent (the app was locked, or it was removed); attach it again.',
      );
    }
    return staged;
  }

  discard(stageId: string): void {
    this.files.delete(stageId);
  }

  clear(): void {
    this.files.clear();
  }
}
