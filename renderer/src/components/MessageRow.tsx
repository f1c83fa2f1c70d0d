/** One message: sender and role, time, reply quote, text, urgent marker, status and actions. */
import { memo } from 'react';
import type { MessageView } from '../../../shared/ipc/view-schemas.js';
import { formatTime, roleLabel, statusLabels } from '../logic/format.js';

interface Props {
  message: MessageView;
  showSender: boolean;
  onReply(message: MessageView): void;
  onCopy(message: MessageView): void;
  onRetry(message: MessageView): void;
}

export const MessageRow = memo(function MessageRow({
  message,
  showSender,
  onReply,
  onCopy,
  onRetry,
}: Props) {
  const outgoing = message.direction === 'outgoing';
  const sender = outgoing ? 'You' : message.sender.displayName;
  return (
    <article
      className={`message ${outgoing ? 'message-out' : 'message-in'}${message.urgent ? ' message-urgent' : ''}`}
      data-message-id={message.id}
      aria-label={`${sender}, ${formatTime(message.sentAt)}${message.urgent ? ', urgent' : ''}`}
    >
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
      </div>
      <div className="message-actions">
        {outgoing && message.status === 'failed' && (
          <button type="button" className="button-danger" onClick={() => onRetry(message)}>
            Retry
          </button>
        )}
        <button type="button" onClick={() => onReply(message)}>
          Reply<span className="visually-hidden"> to {sender}</span>
        </button>
        <button type="button" onClick={() => onCopy(message)}>
          Copy<span className="visually-hidden"> message from {sender}</span>
        </button>
      </div>
    </article>
  );
});
