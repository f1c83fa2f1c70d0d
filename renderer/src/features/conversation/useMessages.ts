/**
 * The open conversation's messages: the newest page first and older pages as the user scrolls
 * up, kept current by main's events (new, updated, status, deleted), and the actions on them
 * (send, retry, copy). Messages live in this hook's state only, so they go when the view does.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { MessageView } from '../../../../shared/ipc/view-schemas.js';
import { call, messenger, useMessengerEvent } from '../../api.js';
import {
  applyStatus,
  mergeMessages,
  removeMessages,
  sendFailedAnnouncement,
} from '../../logic/message-list.js';
import type { AttachmentSend, Draft } from './Composer.js';
import type { Feedback } from './useFeedback.js';

const pageSize = 200;
/**
 * The newest page is smaller: enough to fill a tall window, so opening a long conversation
 * reads, sends and lays out a quarter of the rows before its newest messages show.
 */
const firstPageSize = 50;

export interface Messages {
  messages: readonly MessageView[];
  /** The first page has arrived (until then an empty list is not yet "no messages"). */
  loaded: boolean;
  /** Loads the next older page; undefined when there is none. */
  loadOlder: (() => void) | undefined;
  /** Counts messages sent from here, so the list can scroll to the bottom after each. */
  sentCount: number;
  /** Resolves true once main accepted the message (the composer then clears its draft). */
  send(draft: Draft): Promise<boolean>;
  /** Resolves true once main accepted the file (the composer then clears its draft). */
  sendAttachment(draft: AttachmentSend): Promise<boolean>;
  retry(message: MessageView): Promise<void>;
  deleteForEveryone(message: MessageView): Promise<boolean>;
  copy(message: MessageView): Promise<void>;
}

export function useMessages(conversationId: string, feedback: Feedback): Messages {
  const { fail, announce, clearProblem } = feedback;
  const [messages, setMessages] = useState<readonly MessageView[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [sentCount, setSentCount] = useState(0);
  // A ref, not state: the list asks again on every scroll event near the top.
  const loading = useRef(false);

  const loadPage = useCallback(
    async (before: string | null) => {
      if (loading.current) return;
      loading.current = true;
      try {
        const page = await call(
          messenger().messages.page({
            conversationId,
            limit: before ? pageSize : firstPageSize,
            ...(before ? { before } : {}),
          }),
        );
        setMessages((current) => mergeMessages(current, page.messages));
        setCursor(page.nextCursor);
        setLoaded(true);
      } catch (error) {
        fail(error);
      } finally {
        loading.current = false;
      }
    },
    [conversationId, fail],
  );

  useEffect(() => void loadPage(null), [loadPage]);

  useMessengerEvent('message.added', ({ message }) => {
    if (message.conversationId === conversationId) {
      setMessages((current) => mergeMessages(current, [message]));
    }
  });
  useMessengerEvent('message.status', (event) => {
    if (event.conversationId !== conversationId) return;
    setMessages((current) =>
      applyStatus(current, event.messageId, event.status, event.failureReason ?? null),
    );
    if (event.status === 'failed') announce(sendFailedAnnouncement(event.failureReason));
  });
  useMessengerEvent('message.updated', ({ message }) => {
    if (message.conversationId === conversationId) {
      setMessages((current) => mergeMessages(current, [message]));
    }
  });
  useMessengerEvent('attachment.progress', (event) => {
    if (event.conversationId !== conversationId) return;
    setMessages((current) =>
      current.map((m) =>
        m.id === event.messageId && m.attachment
          ? {
              ...m,
              attachment: { ...m.attachment, progress: { done: event.done, total: event.total } },
            }
          : m,
      ),
    );
  });
  useMessengerEvent('messages.deleted', (event) => {
    if (event.conversationId !== conversationId) return;
    setMessages((current) => removeMessages(current, event.messageIds));
  });

  const send = async (draft: Draft): Promise<boolean> => {
    clearProblem();
    try {
      const { message } = await call(
        messenger().messages.send({
          conversationId,
          text: draft.text,
          urgent: draft.urgent,
          sendDespitePidWarning: draft.sendDespitePidWarning,
          ...(draft.replyTo ? { replyToMessageId: draft.replyTo.id } : {}),
        }),
      );
      setMessages((current) => mergeMessages(current, [message]));
      setSentCount((n) => n + 1);
      return true;
    } catch (error) {
      fail(error);
      return false;
    }
  };

  const sendAttachment = async (draft: AttachmentSend): Promise<boolean> => {
    clearProblem();
    try {
      const { message } = await call(
        messenger().attachments.send({
          conversationId,
          stageId: draft.staged.stageId,
          caption: draft.caption,
          sendDespitePidWarning: draft.sendDespitePidWarning,
          imageShowsPatientDetails: draft.imageShowsPatientDetails,
          urgent: draft.urgent,
          ...(draft.replyTo ? { replyToMessageId: draft.replyTo.id } : {}),
        }),
      );
      setMessages((current) => mergeMessages(current, [message]));
      setSentCount((n) => n + 1);
      return true;
    } catch (error) {
      fail(error);
      return false;
    }
  };

  const retry = useCallback(
    async (message: MessageView) => {
      try {
        const { message: retried } = await call(
          messenger().messages.retry({ conversationId, messageId: message.id }),
        );
        setMessages((current) => mergeMessages(current, [retried]));
        announce('Sending the message again.');
      } catch (error) {
        fail(error);
      }
    },
    [conversationId, announce, fail],
  );

  const copy = useCallback(
    async (message: MessageView) => {
      try {
        await call(messenger().clipboard.writeText({ text: message.text }));
        announce('Message copied to the clipboard.');
      } catch (error) {
        fail(error);
      }
    },
    [announce, fail],
  );

  /** One's own message, for everyone; the `messages.deleted` event takes it off the screen. */
  const deleteForEveryone = useCallback(
    async (message: MessageView): Promise<boolean> => {
      try {
        await call(
          messenger().messages.deleteForEveryone({ conversationId, messageId: message.id }),
        );
        setMessages((current) => removeMessages(current, [message.id]));
        announce('Message deleted for everyone.');
        return true;
      } catch (error) {
        fail(error);
        return false;
      }
    },
    [conversationId, announce, fail],
  );

  return {
    messages,
    loaded,
    loadOlder: cursor ? () => void loadPage(cursor) : undefined,
    sentCount,
    send,
    sendAttachment,
    retry,
    copy,
    deleteForEveryone,
  };
}
