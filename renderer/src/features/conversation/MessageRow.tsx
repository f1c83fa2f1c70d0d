/**
 * One message: avatar, sender and role at the start of a run, reply quote, text, urgent marker,
 * status, whether it was transcribed into a record, and a small toolbar of actions shown on hover
 * or focus. The row itself takes focus (arrow keys move between rows, see MessageTimeline); its
 * toolbar buttons are tab stops only while the row is the active one, so reaching the composer
 * does not mean tabbing through every message's buttons. The toolbar is in the DOM only on the
 * active row and the row under the pointer: it is most of a row's elements, and scrolling a long
 * conversation mounts a screenful of rows every frame. Keyboard and screen-reader users reach it
 * by moving to the message (its focus makes it the active row), then Tab. In selection mode a
 * checkbox, named after the message, leads the row.
 */
import { memo, useId, useState } from 'react';
import type { MessageView } from '../../../../shared/ipc/view-schemas.js';
import { Avatar } from '../../components/Avatar.js';
import { Icon } from '../../components/Icon.js';
import { formatTime, formatWhen, roleLabel, statusLabels } from '../../logic/format.js';
import { messageExcerptText } from '../../logic/attachment-display.js';
import { wordExcerpt } from '../../logic/people.js';
import { AttachmentBlock } from '../attachments/AttachmentBlock.js';
import { ReadByDialog, readByText } from '../group/ReadByDialog.js';
import { MessageRoleLine } from '../roles/MessageRoleLine.js';

interface Props {
  message: MessageView;
  showSender: boolean;
  /** The row holding the list's one tab stop: its toolbar is reachable with Tab. */
  active: boolean;
  /** Under the pointer: its toolbar is shown (and so rendered), though not a tab stop. */
  hovered: boolean;
  onReply(message: MessageView): void;
  onCopy(message: MessageView): void;
  onRetry(message: MessageView): void;
  /** Starts choosing messages to transcribe, with this one chosen. */
  onTranscribe(message: MessageView): void;
  /** Set while choosing messages to transcribe: whether this one is chosen. */
  selected: boolean | null;
  onSelect(message: MessageView, selected: boolean): void;
  /** Asks to delete this (own) message for everyone; absent where that is not offered. */
  onDelete?: ((message: MessageView) => void) | undefined;
}

export const MessageRow = memo(function MessageRow({
  message,
  showSender,
  active,
  hovered,
  onReply,
  onCopy,
  onRetry,
  onTranscribe,
  selected,
  onSelect,
  onDelete,
}: Props) {
  const outgoing = message.direction === 'outgoing';
  const sender = outgoing ? 'You' : message.sender.displayName;
  const failureId = useId();
  const failed = outgoing && message.status === 'failed';
  const [showingReadBy, setShowingReadBy] = useState(false);
  const readBy =
    outgoing && message.readBy && message.status !== 'pending' && !failed ? message.readBy : null;
  const time = formatTime(message.sentAt);
  const toolTab = active ? 0 : -1;
  const classes = [
    'message',
    outgoing ? 'message-out' : 'message-in',
    showSender ? 'message-first' : 'message-continued',
    message.urgent ? 'message-urgent' : '',
    selected ? 'message-selected' : '',
  ];
  return (
    <article
      className={classes.filter(Boolean).join(' ')}
      data-message-id={message.id}
      tabIndex={-1}
      aria-label={`${sender}, ${time}${message.urgent ? ', urgent' : ''}`}
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
              message from {sender} at {time}: {wordExcerpt(messageExcerptText(message), 40)}
            </span>
          </span>
        </label>
      )}
      {!outgoing && (
        <span className="message-avatar">
          {showSender && <Avatar name={sender} role={message.sender.role} size="small" />}
        </span>
      )}
      <div className="message-body">
        {showSender && (
          <p className="message-sender">
            <span className="sender-name">{sender}</span>
            {!outgoing && <span className="sender-role">{roleLabel(message.sender.role)}</span>}
          </p>
        )}
        <div className="bubble">
          {message.urgent && <span className="tag tag-urgent">Urgent</span>}
          <MessageRoleLine message={message} />
          {message.replyTo && (
            <blockquote className="reply-quote">
              <span className="reply-sender">{message.replyTo.senderName}</span>
              {wordExcerpt(message.replyTo.excerpt, 100)}
            </blockquote>
          )}
          {message.attachment && <AttachmentBlock message={message} tabIndex={toolTab} />}
          {(message.text !== '' || !message.attachment) && (
            <p className="message-text">{message.text}</p>
          )}
          <p className="message-meta">
            <time dateTime={new Date(message.sentAt).toISOString()}>{time}</time>
            {outgoing &&
              (readBy ? (
                <button
                  type="button"
                  className={`link-button status status-${message.status}`}
                  data-status={message.status}
                  onClick={() => setShowingReadBy(true)}
                >
                  {readByText(readBy)}
                </button>
              ) : (
                <span className={`status status-${message.status}`} data-status={message.status}>
                  {statusLabels[message.status]}
                </span>
              ))}
          </p>
          {failed && (
            // Outside the hover toolbar: a message that did not go must be seen without hovering.
            <div className="message-failure">
              <p id={failureId}>
                {message.failureReason ??
                  'This message was not sent. Press Retry to send it again.'}
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
          {showingReadBy && (
            <ReadByDialog
              conversationId={message.conversationId}
              messageId={message.id}
              onClose={() => setShowingReadBy(false)}
            />
          )}
          {message.transcribed && (
            <p className="transcribed-marker">
              Transcribed by {message.transcribed.byName} at {formatWhen(message.transcribed.at)}
              {message.transcribed.deletesAt !== null &&
                ` — deleted everywhere at ${formatWhen(message.transcribed.deletesAt)}`}
            </p>
          )}
        </div>
        {(active || hovered) && (
          <div
            className="message-actions"
            role="toolbar"
            aria-label={`Actions for ${sender}, ${time}`}
          >
            <button type="button" tabIndex={toolTab} onClick={() => onReply(message)}>
              <Icon name="reply" size={16} />
              Reply<span className="visually-hidden"> to {sender}</span>
            </button>
            {message.text !== '' && (
              <button type="button" tabIndex={toolTab} onClick={() => onCopy(message)}>
                <Icon name="copy" size={16} />
                Copy<span className="visually-hidden"> message from {sender}</span>
              </button>
            )}
            {selected === null && (
              <button type="button" tabIndex={toolTab} onClick={() => onTranscribe(message)}>
                <Icon name="transcribe" size={16} />
                Transcribe…<span className="visually-hidden"> starting with this message</span>
              </button>
            )}
            {outgoing && onDelete && selected === null && (
              <button type="button" tabIndex={toolTab} onClick={() => onDelete(message)}>
                <Icon name="trash" size={16} />
                Delete…<span className="visually-hidden"> your message at {time} for everyone</span>
              </button>
            )}
          </div>
        )}
      </div>
    </article>
  );
});
