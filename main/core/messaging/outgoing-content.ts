import type { AttachmentRecord } from '../db/repositories/attachments-repository.js';
import type { MessageRecord } from '../db/repositories/messages-repository.js';
import type { Content, RoleTag } from './content-codec.js';

/** The content of a stored outgoing message, rebuilt byte-for-byte equivalent for a resend. */
export function contentOfMessage(
  message: MessageRecord,
  replyTo: string | null,
  attachment: AttachmentRecord | null = null,
  role: RoleTag | null = null,
): Content {
  if (attachment?.relayId) {
    return {
      v: 1,
      id: message.id,
      sentAt: message.sentAt,
      kind: 'attachment',
      ...(message.body ? { text: message.body } : {}),
      attachment: {
        v: 1,
        id: attachment.relayId,
        key: attachment.fileKey.toString('base64'),
        sha256: attachment.sha256,
        size: attachment.size,
        chunkCount: attachment.chunkCount,
        type: attachment.contentType as 'text/plain',
        name: attachment.fileName,
      },
      ...(message.urgent ? { urgent: true } : {}),
      ...(replyTo ? { replyTo } : {}),
      ...(role ? { role } : {}),
    };
  }
  return {
    v: 1,
    id: message.id,
    sentAt: message.sentAt,
    kind: 'text',
    text: message.body,
    ...(message.urgent ? { urgent: true } : {}),
    ...(replyTo ? { replyTo } : {}),
    ...(role ? { role } : {}),
  };
}
