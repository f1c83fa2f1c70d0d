/**
 * Writing a message: Enter sends, Shift+Enter starts a new line. The PID detector from shared/
 * runs on every change (it is fast enough for long messages) so the warning is live, not a
 * surprise after pressing Send. A file can wait above the text (Attach, drag and drop, paste):
 * the text is then its caption, and the PID check covers the file's name too.
 */
import {
  useEffect,
  useMemo,
  useRef,
  useState,
  type ClipboardEvent,
  type DragEvent,
  type KeyboardEvent,
} from 'react';
import type { StagedAttachment } from '../../../../shared/ipc/attachment-schemas.js';
import { createPidDetector, type PidDetector } from '../../../../shared/clinical/pid-detector.js';
import { maxMessageTextLength } from '../../../../shared/ipc/message-limits.js';
import type { MessageView, PolicyView } from '../../../../shared/ipc/view-schemas.js';
import { Dialog } from '../../components/Dialog.js';
import { Icon } from '../../components/Icon.js';
import { messageExcerptText } from '../../logic/attachment-display.js';
import { wordExcerpt } from '../../logic/people.js';
import { DraftAttachment } from '../attachments/DraftAttachment.js';
import { useAttachmentDraft } from '../attachments/useAttachmentDraft.js';
import { PidWarning } from './PidWarning.js';

export interface Draft {
  text: string;
  urgent: boolean;
  replyTo: MessageView | null;
  sendDespitePidWarning: boolean;
}

export interface AttachmentSend {
  staged: StagedAttachment;
  caption: string;
  sendDespitePidWarning: boolean;
  /** The answer to "Does this show patient details?" for an image; null when not asked. */
  imageShowsPatientDetails: boolean | null;
  urgent: boolean;
  /** The message the file answers, as for text. */
  replyTo: MessageView | null;
}

interface Props {
  conversationId: string;
  policy: PolicyView;
  replyTo: MessageView | null;
  onCancelReply(): void;
  /** Resolves true when sent (the draft is then cleared). */
  onSend(draft: Draft): Promise<boolean>;
  /** Resolves true when main accepted the file (the draft is then cleared). */
  onSendAttachment(draft: AttachmentSend): Promise<boolean>;
  disabledReason: string | null;
}

function detectorFor(policy: PolicyView): PidDetector {
  try {
    return createPidDetector({ hospitalNumberPatterns: policy.hospitalNumberPatterns });
  } catch {
    // A bad practice pattern must not switch off the built-in checks.
    return createPidDetector();
  }
}

export function Composer(props: Props) {
  const { policy, replyTo, onCancelReply, onSend, onSendAttachment, disabledReason } = props;
  const [text, setText] = useState('');
  const file = useAttachmentDraft(props.conversationId);
  const staged = file.staged;
  const [dragging, setDragging] = useState(false);
  const [urgent, setUrgent] = useState(false);
  const [sending, setSending] = useState(0);
  // An image waits for the answer to "Does this show patient details?" (policy may turn it off).
  const [askingImage, setAskingImage] = useState<{ despiteWarning: boolean } | null>(null);
  const textarea = useRef<HTMLTextAreaElement>(null);
  const warning = useRef<HTMLDivElement>(null);
  const detect = useMemo(() => detectorFor(policy), [policy]);
  // The file's name travels inside the message like its caption: both are checked.
  const checked = staged ? `${staged.name}\n${text}` : text;
  // Nothing to check in an empty draft; skipping it keeps the detector's first run (its
  // patterns compile then, tens of ms) out of opening a conversation.
  const findings = useMemo(() => (checked === '' ? [] : detect(checked)), [detect, checked]);
  // "block" stops identifiers; a possible patient name ("Mrs Jane Smith") only ever warns.
  const blocked = policy.pidGuard === 'block' && findings.some((f) => f.severity === 'identifier');
  const empty = text.trim() === '' && staged === null;
  const tooLong = text.length > maxMessageTextLength;

  // Choosing Reply means writing next: take the user there.
  useEffect(() => {
    if (replyTo) textarea.current?.focus();
  }, [replyTo?.id]);

  // The text leaves the composer as soon as it is sent, as in any messenger, so the next message
  // can be typed at once; it comes back only if the send was refused (never over new typing).
  const send = async (despiteWarning: boolean, imageAnswer: boolean | null = null) => {
    if (empty || tooLong || disabledReason !== null) return;
    if (findings.length > 0 && (blocked || !despiteWarning)) {
      warning.current?.focus();
      return;
    }
    const asks =
      staged !== null && staged.type.startsWith('image/') && policy.askImagePatientDetails;
    if (asks && imageAnswer === null) {
      setAskingImage({ despiteWarning });
      return;
    }
    if (staged) {
      // A file waits in the preview until main has it; the caption stays until then too, and a
      // second Enter meanwhile does not send it twice.
      if (sending > 0) return;
      setSending((n) => n + 1);
      const sent = await onSendAttachment({
        staged,
        caption: text,
        sendDespitePidWarning: findings.length > 0,
        imageShowsPatientDetails: asks ? imageAnswer : null,
        urgent,
        replyTo,
      });
      setSending((n) => n - 1);
      if (sent) {
        file.sent();
        // Only what was sent: anything typed while it was sending stays.
        const sentText = text;
        setText((current) => (current === sentText ? '' : current));
        setUrgent(false);
      }
      textarea.current?.focus();
      return;
    }
    const draft = { text, urgent };
    setText('');
    setUrgent(false);
    setSending((n) => n + 1);
    const sent = await onSend({
      text: draft.text,
      urgent: draft.urgent,
      replyTo,
      sendDespitePidWarning: findings.length > 0,
    });
    setSending((n) => n - 1);
    if (!sent) {
      setText((typed) => (typed === '' ? draft.text : `${draft.text}\n${typed}`));
      setUrgent((marked) => marked || draft.urgent);
    }
    textarea.current?.focus();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void send(false);
    }
  };

  const allowed = policy.allowAttachments && disabledReason === null;
  const hasFiles = (event: DragEvent) => allowed && event.dataTransfer.types.includes('Files');
  const onDrop = (event: DragEvent<HTMLDivElement>) => {
    setDragging(false);
    if (!hasFiles(event)) return;
    event.preventDefault();
    const dropped = event.dataTransfer.files[0];
    if (dropped) void file.take(dropped);
  };
  const onPaste = (event: ClipboardEvent<HTMLTextAreaElement>) => {
    const pasted = event.clipboardData.files[0];
    if (!allowed || !pasted) return;
    event.preventDefault();
    void file.take(pasted);
  };

  return (
    <div
      className={dragging ? 'composer composer-dragging' : 'composer'}
      onDragOver={(event) => {
        if (!hasFiles(event)) return;
        event.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
    >
      {replyTo && (
        <div className="reply-preview">
          <span>
            Replying to{' '}
            <strong>
              {replyTo.direction === 'outgoing' ? 'yourself' : replyTo.sender.displayName}
            </strong>
            : {wordExcerpt(messageExcerptText(replyTo), 90)}
          </span>
          <button
            type="button"
            className="button-quiet"
            onClick={() => {
              onCancelReply();
              textarea.current?.focus();
            }}
          >
            <Icon name="close" size={16} />
            Cancel reply
          </button>
        </div>
      )}
      <div aria-live="polite">
        {findings.length > 0 && (
          <PidWarning
            ref={warning}
            findings={findings}
            blocked={blocked}
            onEdit={() => textarea.current?.focus()}
            onSendAnyway={() => void send(true)}
          />
        )}
      </div>
      {disabledReason && <p className="hint composer-disabled">{disabledReason}</p>}
      {file.problem && (
        <p className="alert" role="alert">
          {file.problem}
        </p>
      )}
      {staged && <DraftAttachment staged={staged} onRemove={file.remove} />}
      {askingImage && (
        <ImagePatientDetailsQuestion
          onAnswer={(answer) => {
            const { despiteWarning } = askingImage;
            setAskingImage(null);
            void send(despiteWarning, answer);
          }}
          onCancel={() => {
            setAskingImage(null);
            textarea.current?.focus();
          }}
        />
      )}
      <label htmlFor="composer-text" className="visually-hidden">
        Message
      </label>
      <textarea
        id="composer-text"
        ref={textarea}
        rows={3}
        value={text}
        placeholder={
          staged
            ? 'Add a caption (optional). Enter sends the file.'
            : 'Write a message. Enter sends, Shift+Enter for a new line.'
        }
        aria-describedby="composer-help"
        aria-invalid={tooLong || undefined}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
        onPaste={onPaste}
      />
      <div className="composer-bar">
        <p id="composer-help" className="hint">
          {tooLong
            ? `Too long: ${text.length} of ${maxMessageTextLength} characters. Shorten it or split it.`
            : 'Enter sends · Shift+Enter new line'}
        </p>
        {policy.allowAttachments && (
          <button
            type="button"
            className="button-quiet"
            disabled={file.busy || sending > 0 || disabledReason !== null}
            onClick={() => void file.choose()}
          >
            <Icon name="attach" size={16} />
            {file.busy ? 'Attaching…' : 'Attach'}
            <span className="visually-hidden"> a file (or drop or paste one here)</span>
          </button>
        )}
        <div className="checkbox">
          <input
            id="composer-urgent"
            type="checkbox"
            checked={urgent}
            onChange={(e) => setUrgent(e.target.checked)}
          />
          <label htmlFor="composer-urgent">Mark as urgent</label>
        </div>
        <button
          type="button"
          className="button-primary"
          disabled={empty || tooLong || blocked || disabledReason !== null}
          onClick={() => void send(false)}
        >
          {sending > 0 && empty ? 'Sending…' : 'Send'}
        </button>
      </div>
    </div>
  );
}

/** Asked before every image is sent (unless the policy turns it off); the answer is audited. */
function ImagePatientDetailsQuestion(props: {
  onAnswer(showsPatientDetails: boolean): void;
  onCancel(): void;
}) {
  return (
    <Dialog title="Does this show patient details?" onClose={props.onCancel}>
      <p>It will be end-to-end encrypted and deleted with the conversation.</p>
      <p className="hint">Your answer is recorded in the audit log; the image is not.</p>
      <div className="actions">
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
        <button type="button" onClick={() => props.onAnswer(false)}>
          No patient details
        </button>
        <button
          type="button"
          className="button-primary"
          data-autofocus
          onClick={() => props.onAnswer(true)}
        >
          Yes, it shows patient details
        </button>
      </div>
    </Dialog>
  );
}
