/**
 * The conversation as a whole: whom it is with, read receipts (the newest incoming message on
 * screen marks everything before it read), and acknowledging a peer's new safety number. Changes
 * to the summary go up to the list through `onChanged` as changes, not as a whole summary: one
 * taken before an incoming message arrived would put back the list's old preview.
 */
import { useEffect, useRef } from 'react';
import type {
  Contact,
  ConversationSummary,
  MessageView,
} from '../../../../shared/ipc/view-schemas.js';
import { call, messenger } from '../../api.js';
import {
  conversationPeers,
  identityAcknowledged,
  markedRead,
} from '../../logic/conversation-list.js';
import { newestIncoming } from '../../logic/message-list.js';
import type { Feedback } from './useFeedback.js';

interface Options {
  conversation: ConversationSummary;
  self: Contact;
  messages: readonly MessageView[];
  onChanged(id: string, change: (c: ConversationSummary) => ConversationSummary): void;
  feedback: Feedback;
}

export function useConversation({ conversation, self, messages, onChanged, feedback }: Options) {
  const conversationId = conversation.id;
  const peers = conversationPeers(conversation, self.accountId);
  const lastMarkedRead = useRef<string | null>(null);

  const newest = newestIncoming(messages);
  useEffect(() => {
    if (!newest || lastMarkedRead.current === newest.id) return;
    lastMarkedRead.current = newest.id;
    void call(messenger().messages.markRead({ conversationId, upToMessageId: newest.id }))
      .then(() => onChanged(conversationId, markedRead))
      .catch(() => undefined);
    // Only a new incoming message should mark read; the summary object changes too often.
  }, [newest?.id, conversationId]);

  const acknowledge = async () => {
    try {
      for (const peer of peers) {
        await call(messenger().identity.acknowledge({ accountId: peer.accountId }));
      }
      onChanged(conversationId, identityAcknowledged);
    } catch (error) {
      feedback.fail(error);
    }
  };

  return { peers, acknowledge };
}
