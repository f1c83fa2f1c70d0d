/**
 * One message: sender and role, time, reply quote, text, urgent marker, status, whether it was
 * transcribed into a record, and actions. In selection mode (choosing messages to transcribe) a
 * checkbox leads the row.
 */
import { memo, useId } from 'react';
import type { MessageView } from '../../../../shared/ipc/view-schemas.js';
import { formatTime, formatWhen, roleLabel, statusLabels } from '../../logic/format.js';

interface Props {
  message: MessageView;
  showSender: boolean;
  onReply(message: MessageView): void;
  onCopy(message: MessageView): void;
  onRetry(message: MessageView): void;
  /** Starts choosing messages to transcribe, with this one chosen. */
  onTranscribe(message: MessageView): void;
  /** Set while choosing messages to transcribe: whether this one is chosen. */
  selected: boolean | null;
  onSelect(message: MessageView, selected: boolean): void;
}

export const MessageRow = memo(function MessageRow({
  message,
  showSender,
  onReply,
  onCopy,
  onRetry,
  onTranscribe,
  selected,
  onSelect,
}: Props) {
  const outgoing = message.direction === 'outgoing';
  const sender = outgoing ? 'You' : message.sender.displayName;
  const failureId = useId();
  const failed = outgoing && message.status === 'failed';
  return (
    <article
      className={`message ${outgoing ? 'message-out' : 'message-in'}${message.urgent ? ' message-urgent' : ''}${selected ? ' message-selected' : ''}`}
      data-message-id={message.id}
      aria-label={`${sender}, ${formatTime(message.sentAt)}${message.urgent ? ', urgent' : ''}`}
    >
      {selected !== null && (
        <label className="checkbox message-select">
          <input
            type="checkbox"
            checked={selected}
            onChange={(e) => onSelect(message, e.target.checked)}
          />
          <span>
            Select
            <span className="visually-hidden">
              {' '}
              message from {sender} at {formatTime(message.sentAt)}
            </span>
          </span>
        </label>
      )}
      {showSender && (
        <p className="message-sender">
          <span className="sender-name">{sender}</span>
          {!outgoing && <span className="sender-role">{roleLabel(message.sender.role)}</span>}
        </p>
      )}
      <div className="bubble">
        {message.urgent && <span className="tag tag-urgent">Urgent</span>}
        {message.replyTo && (
          <blockquote className="reply-quote">
            <span className="reply-sender">{message.replyTo.senderName}</span>
            {message.replyTo.excerpt}
          </blockquote>
        )}
        <p className="message-text">{message.text}</p>
        <p className="message-meta">
          <time dateTime={new Date(message.sentAt).toISOString()}>
            {formatTime(message.sentAt)}
          </time>
          {outgoing && (
            <span className={`status status-${message.status}`} data-status={message.status}>
              {statusLabels[message.status]}
            </span>
          )}
        </p>
        {failed && (
          // Outside the hover-only actions: a message that did not go must be seen without hovering.
          <div className="message-failure">
            <p id={failureId}>
              {message.failureReason ?? 'This message was not sent. Press Retry to send it again.'}
            </p>
            <button
              type="button"
              className="button-danger"
              aria-describedby={failureId}
              onClick={() => onRetry(message)}
            >
              Retry<span className="visually-hidden"> sending this message</span>
            </button>
          </div>
        )}
        {message.transcribed && (
          <p className="transcribed-marker">
            Transcribed by {message.transcribed.byName} at {formatWhen(message.transcribed.at)}
            {message.transcribed.deletesAt !== null &&
              ` — deleted everywhere at ${formatWhen(message.transcribed.deletesAt)}`}
          </p>
        )}
      </div>
      <div className="message-actions">
        <button type="button" onClick={() => onReply(message)}>
          Reply<span className="visually-hidden"> to {sender}</span>
        </button>
        <button type="button" onClick={() => onCopy(message)}>
          Copy<span className="visually-hidden"> message from {sender}</span>
        </button>
        {selected === null && (
          <button type="button" onClick={() => onTranscribe(message)}>
            Transcribe…<span className="visually-hidden"> starting with this message</span>
          </button>
        )}
      </div>
    </article>
  );
});
