/**
 * "Delete for everyone?" for one of the user's own messages: said plainly that it goes from
 * every device in the conversation (the other side's and the user's own other PCs).
 */
import { useState } from 'react';
import type { MessageView } from '../../../../shared/ipc/view-schemas.js';
import { Dialog } from '../../components/Dialog.js';
import { formatTime } from '../../logic/format.js';
import { wordExcerpt } from '../../logic/people.js';
import { messageExcerptText } from '../../logic/attachment-display.js';

interface Props {
  message: MessageView;
  /** Resolves true when deleted; false when not (the conversation shows why). */
  onConfirm(message: MessageView): Promise<boolean>;
  onClose(): void;
}

export function DeleteForEveryoneDialog({ message, onConfirm, onClose }: Props) {
  const [busy, setBusy] = useState(false);
  return (
    <Dialog title="Delete for everyone?" onClose={onClose}>
      <p>It is removed from every device in this conversation.</p>
      <blockquote className="reply-quote">
        <span className="reply-sender">You, {formatTime(message.sentAt)}</span>
        {wordExcerpt(messageExcerptText(message), 100)}
      </blockquote>
      <div className="actions">
        <button type="button" className="button-quiet" onClick={onClose}>
          Keep it
        </button>
        <button
          type="button"
          className="button-danger"
          data-autofocus
          disabled={busy}
          onClick={() => {
            setBusy(true);
            // Closed either way: a problem shows in the conversation, above the timeline.
            void onConfirm(message).finally(onClose);
          }}
        >
          Delete for everyone
        </button>
      </div>
    </Dialog>
  );
}
