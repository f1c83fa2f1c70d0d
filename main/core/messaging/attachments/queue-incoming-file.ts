import type { Content } from '../content-codec.js';
import type { CoreContext } from '../core-context.js';

/** What a message says about its file: the relay blob, its key, digest, size, type and name. */
export type FileDescriptor = Extract<Content, { kind: 'attachment' }>['attachment'];

/**
 * Records a file to fetch for a message just stored, inside the caller's transaction: a received
 * file, a group member's file, or one the person sent from another of their PCs. The key is kept
 * with the message (inside SQLCipher); the download starts once the transaction commits.
 */
export function queueIncomingFile(
  ctx: CoreContext,
  messageId: string,
  file: FileDescriptor,
  now: number,
): void {
  ctx.repos.attachments.insert({
    messageId,
    direction: 'incoming',
    state: 'downloading',
    fileKey: Buffer.from(file.key, 'base64'),
    sha256: file.sha256,
    size: file.size,
    contentType: file.type,
    fileName: file.name,
    chunkCount: file.chunkCount,
    relayId: file.id,
    createdAt: now,
  });
  ctx.kickAttachments();
}
