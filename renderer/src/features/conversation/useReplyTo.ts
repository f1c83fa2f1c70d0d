/** The message the composer replies to; dropped when it is deleted, since a reply quotes it. */
import { useState } from 'react';
import type { MessageView } from '../../../../shared/ipc/view-schemas.js';
import { useMessengerEvent } from '../../api.js';
import { replyAfterDeletion } from '../../logic/message-list.js';

export function useReplyTo(
  conversationId: string,
): [MessageView | null, (message: MessageView | null) => void] {
  const [replyTo, setReplyTo] = useState<MessageView | null>(null);
  useMessengerEvent('messages.deleted', (event) => {
    if (event.conversationId !== conversationId) return;
    setReplyTo((current) => replyAfterDeletion(current, event.messageIds));
  });
  return [replyTo, setReplyTo];
}
