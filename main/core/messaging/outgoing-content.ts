import type { MessageRecord } from '../db/repositories/messages-repository.js';
import type { Content } from './content-codec.js';

/** The content of a stored outgoing message, rebuilt byte-for-byte equivalent for a resend. */
export function contentOfMessage(message: MessageRecord, replyTo: string | null): Content {
  return {
    v: 1,
    id: message.id,
    sentAt: message.sentAt,
    kind: 'text',
    text: message.body,
    ...(message.urgent ? { urgent: true } : {}),
    ...(replyTo ? { replyTo } : {}),
  };
}
