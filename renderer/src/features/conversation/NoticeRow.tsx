/**
 * A notice this device wrote into the conversation (e.g. that a message could not be
 * decrypted): a centred line in the app's own voice, not a bubble from the peer, and without
 * reply, copy or transcribe, because nobody said it and it is not clinical advice.
 */
import { memo } from 'react';
import type { MessageView } from '../../../../shared/ipc/view-schemas.js';
import { formatTime } from '../../logic/format.js';

export const NoticeRow = memo(function NoticeRow({ message }: { message: MessageView }) {
  return (
    <p className="notice-row" data-message-id={message.id}>
      <span className="visually-hidden">Notice from Practice Messenger: </span>
      {message.text}{' '}
      <time dateTime={new Date(message.sentAt).toISOString()}>{formatTime(message.sentAt)}</time>
    </p>
  );
});
