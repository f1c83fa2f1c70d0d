/**
 * The open conversation: header with whom and their role, the identity-changed banner, the
 * windowed message timeline (pages of older messages load as the user scrolls up), and the
 * composer. Marks incoming messages read while the conversation is on screen. Messages can be
 * selected for transcription into the patient record, and the conversation exported for a
 * Subject Access Request.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type {
  Contact,
  ConversationSummary,
  DeletionReason,
  MessageView,
  PolicyView,
} from '../../../shared/ipc/view-schemas.js';
import { call, errorMessage, messenger, useMessengerEvent } from '../api.js';
import { conversationPeers } from '../logic/conversation-list.js';
import { emptyConversationText } from '../logic/deletion-note.js';
import { roleLabel } from '../logic/format.js';
import {
  applyStatus,
  mergeMessages,
  newestIncoming,
  removeMessages,
} from '../logic/message-list.js';
import { buildTimelineRows, type TimelineRow } from '../logic/timeline-rows.js';
import { transcribableIds } from '../logic/transcription-selection.js';
import { Composer, type Draft } from './Composer.js';
import { ExportDialog } from './ExportDialog.js';
import { MessageRow } from './MessageRow.js';
import { NoticeRow } from './NoticeRow.js';
import { SelectionBar } from './SelectionBar.js';
import { TranscriptionPanel } from '../features/transcription/TranscriptionPanel.js';
import { VirtualList } from './VirtualList.js';

interface Props {
  conversation: ConversationSummary;
  self: Contact;
  policy: PolicyView;
  /** Why messages of this conversation were deleted while the profile has been unlocked. */
  deletionsSeen: ReadonlySet<DeletionReason> | undefined;
  onConversationChanged(conversation: ConversationSummary): void;
  onShowSafetyNumber(accountId: string, name: string): void;
}

const pageSize = 200;

const rowKey = (row: TimelineRow) => row.key;
// Estimates only place rows until they are measured: roughly one line per 70 characters.
const estimateRow = (row: TimelineRow) =>
  row.kind === 'day'
    ? 44
    : row.kind === 'notice'
      ? 36 + 22 * Math.ceil(row.message.text.length / 90)
      : 58 +
        (row.showSender ? 24 : 0) +
        (row.message.transcribed ? 22 : 0) +
        (row.message.status === 'failed' ? 48 : 0) +
        22 * Math.ceil(row.message.text.length / 70);

export function ConversationView(props: Props) {
  const { conversation, self, policy, onConversationChanged } = props;
  const conversationId = conversation.id;
  const [messages, setMessages] = useState<readonly MessageView[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [replyTo, setReplyTo] = useState<MessageView | null>(null);
  const [status, setStatus] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [bottomSignal, setBottomSignal] = useState(0);
  // Null unless the user is choosing messages to transcribe.
  const [selection, setSelection] = useState<ReadonlySet<string> | null>(null);
  const [transcribing, setTranscribing] = useState<readonly string[] | null>(null);
  const [exporting, setExporting] = useState(false);
  const loading = useRef(false);
  const lastMarkedRead = useRef<string | null>(null);
  const peers = conversationPeers(conversation, self.accountId);

  const loadPage = useCallback(
    async (before: string | null) => {
      if (loading.current) return;
      loading.current = true;
      try {
        const page = await call(
          messenger().messages.page({
            conversationId,
            limit: pageSize,
            ...(before ? { before } : {}),
          }),
        );
        setMessages((current) => mergeMessages(current, page.messages));
        setCursor(page.nextCursor);
        setLoaded(true);
      } catch (error) {
        setProblem(errorMessage(error));
      } finally {
        loading.current = false;
      }
    },
    [conversationId],
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
    // Announced once here: a live region in each row would speak again whenever the windowed
    // list re-mounts the row while scrolling.
    if (event.status === 'failed') {
      setStatus(
        `A message was not sent. ${event.failureReason ?? 'Press Retry to send it again.'}`,
      );
    }
  });

  useMessengerEvent('message.updated', ({ message }) => {
    if (message.conversationId === conversationId) {
      setMessages((current) => mergeMessages(current, [message]));
    }
  });
  useMessengerEvent('messages.deleted', (event) => {
    if (event.conversationId !== conversationId) return;
    setMessages((current) => removeMessages(current, event.messageIds));
    setSelection((current) => {
      if (current === null) return current;
      const next = new Set(current);
      for (const id of event.messageIds) next.delete(id);
      return next;
    });
    setReplyTo((current) => (current && event.messageIds.includes(current.id) ? null : current));
  });

  // Read receipts: the newest incoming message on screen marks everything before it read.
  const newest = newestIncoming(messages);
  useEffect(() => {
    if (!newest || lastMarkedRead.current === newest.id) return;
    lastMarkedRead.current = newest.id;
    void call(messenger().messages.markRead({ conversationId, upToMessageId: newest.id }))
      .then(() =>
        onConversationChanged({ ...conversation, unreadCount: 0, hasUrgentUnread: false }),
      )
      .catch(() => undefined);
    // Only a new incoming message should mark read; the summary object changes too often.
  }, [newest?.id, conversationId]);

  const rows = useMemo(() => buildTimelineRows(messages, Date.now()), [messages]);

  const onReply = useCallback((message: MessageView) => setReplyTo(message), []);
  const onCopy = useCallback(async (message: MessageView) => {
    try {
      await call(messenger().clipboard.writeText({ text: message.text }));
      setStatus('Message copied to the clipboard.');
    } catch (error) {
      setProblem(errorMessage(error));
    }
  }, []);
  const onRetry = useCallback(
    async (message: MessageView) => {
      try {
        const { message: retried } = await call(
          messenger().messages.retry({ conversationId, messageId: message.id }),
        );
        setMessages((current) => mergeMessages(current, [retried]));
        setStatus('Sending the message again.');
      } catch (error) {
        setProblem(errorMessage(error));
      }
    },
    [conversationId],
  );

  const onTranscribe = useCallback(
    (message: MessageView) => setSelection(new Set([message.id])),
    [],
  );
  const onSelect = useCallback((message: MessageView, selected: boolean) => {
    setSelection((current) => {
      const next = new Set(current ?? []);
      if (selected) next.add(message.id);
      else next.delete(message.id);
      return next;
    });
  }, []);

  const renderRow = useCallback(
    (row: TimelineRow) =>
      row.kind === 'day' ? (
        <h2 className="day-separator">{row.label}</h2>
      ) : row.kind === 'notice' ? (
        <NoticeRow message={row.message} />
      ) : (
        <MessageRow
          message={row.message}
          showSender={row.showSender}
          onReply={onReply}
          onCopy={(m) => void onCopy(m)}
          onRetry={(m) => void onRetry(m)}
          onTranscribe={onTranscribe}
          selected={selection === null ? null : selection.has(row.message.id)}
          onSelect={onSelect}
        />
      ),
    [onReply, onCopy, onRetry, onTranscribe, onSelect, selection],
  );

  const send = async (draft: Draft): Promise<boolean> => {
    setProblem(null);
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
      setReplyTo(null);
      setBottomSignal((n) => n + 1);
      return true;
    } catch (error) {
      setProblem(errorMessage(error));
      return false;
    }
  };

  const acknowledge = async () => {
    try {
      for (const peer of peers) {
        await call(messenger().identity.acknowledge({ accountId: peer.accountId }));
      }
      onConversationChanged({ ...conversation, identityChanged: false });
    } catch (error) {
      setProblem(errorMessage(error));
    }
  };

  const changedPeer = peers[0];
  return (
    <section className="conversation" aria-labelledby="conversation-title">
      <header className="conversation-header">
        <div>
          <h1 id="conversation-title">{conversation.title}</h1>
          <p className="conversation-people">
            {peers.map((p) => `${p.displayName} (${roleLabel(p.role)})`).join(', ')}
          </p>
        </div>
        <div className="actions">
          <button
            type="button"
            aria-pressed={selection !== null}
            onClick={() => setSelection((current) => (current === null ? new Set() : null))}
          >
            Select messages to transcribe
          </button>
          <button type="button" onClick={() => setExporting(true)}>
            Export for SAR…
          </button>
          {peers.slice(0, 3).map((peer) => (
            <button
              type="button"
              key={peer.accountId}
              onClick={() => props.onShowSafetyNumber(peer.accountId, peer.displayName)}
            >
              Safety number{peers.length > 1 ? `: ${peer.displayName}` : ''}
            </button>
          ))}
        </div>
      </header>
      {conversation.identityChanged && changedPeer && (
        <div className="identity-banner" role="alert">
          <p>
            <strong>{changedPeer.displayName}&apos;s safety number has changed.</strong> This
            happens when they reinstall the app or use a new computer, but it could also mean
            someone else is pretending to be them. Check the safety number with them in person or by
            phone before you send anything sensitive.
          </p>
          <div className="actions">
            <button
              type="button"
              onClick={() =>
                props.onShowSafetyNumber(changedPeer.accountId, changedPeer.displayName)
              }
            >
              View safety number
            </button>
            <button type="button" className="button-primary" onClick={() => void acknowledge()}>
              I have checked: continue
            </button>
          </div>
        </div>
      )}
      {problem && (
        <p className="alert" role="alert">
          {problem}
        </p>
      )}
      <p className="visually-hidden" role="status">
        {status}
      </p>
      {loaded && messages.length === 0 ? (
        <div className="empty-state timeline-empty">
          <p>{emptyConversationText(conversation.deletedMessages, props.deletionsSeen)}</p>
        </div>
      ) : (
        <VirtualList
          items={rows}
          itemKey={rowKey}
          estimateHeight={estimateRow}
          renderItem={renderRow}
          label={`Messages with ${conversation.title}`}
          onNearTop={cursor ? () => void loadPage(cursor) : undefined}
          scrollToBottomSignal={bottomSignal}
        />
      )}
      {selection !== null && (
        <SelectionBar
          count={selection.size}
          onTranscribe={() => setTranscribing(transcribableIds(messages, selection))}
          onCancel={() => setSelection(null)}
        />
      )}
      {transcribing && (
        <TranscriptionPanel
          conversationId={conversationId}
          messageIds={transcribing}
          onClose={() => {
            setTranscribing(null);
            setSelection(null);
          }}
        />
      )}
      {exporting && (
        <ExportDialog
          conversation={conversation}
          policy={policy}
          onClose={() => setExporting(false)}
        />
      )}
      <Composer
        policy={policy}
        replyTo={replyTo}
        onCancelReply={() => setReplyTo(null)}
        onSend={send}
        disabledReason={
          conversation.identityChanged
            ? 'Check the new safety number (above) before sending more messages.'
            : null
        }
      />
    </section>
  );
}
