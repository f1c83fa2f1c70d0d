/**
 * Writing a message: Enter sends, Shift+Enter starts a new line. The PID detector from shared/
 * runs on every change (it is fast enough for long messages) so the warning is live, not a
 * surprise after pressing Send.
 */
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { createPidDetector, type PidDetector } from '../../../../shared/clinical/pid-detector.js';
import { maxMessageTextLength } from '../../../../shared/ipc/message-limits.js';
import type { MessageView, PolicyView } from '../../../../shared/ipc/view-schemas.js';
import { Icon } from '../../components/Icon.js';
import { wordExcerpt } from '../../logic/people.js';
import { PidWarning } from './PidWarning.js';

export interface Draft {
  text: string;
  urgent: boolean;
  replyTo: MessageView | null;
  sendDespitePidWarning: boolean;
}

interface Props {
  policy: PolicyView;
  replyTo: MessageView | null;
  onCancelReply(): void;
  /** Resolves true when sent (the draft is then cleared). */
  onSend(draft: Draft): Promise<boolean>;
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

export function Composer({ policy, replyTo, onCancelReply, onSend, disabledReason }: Props) {
  const [text, setText] = useState('');
  const [urgent, setUrgent] = useState(false);
  const [sending, setSending] = useState(0);
  const textarea = useRef<HTMLTextAreaElement>(null);
  const warning = useRef<HTMLDivElement>(null);
  const detect = useMemo(() => detectorFor(policy), [policy]);
  const findings = useMemo(() => detect(text), [detect, text]);
  // "block" stops identifiers; a possible patient name ("Mrs Jane Smith") only ever warns.
  const blocked = policy.pidGuard === 'block' && findings.some((f) => f.severity === 'identifier');
  const empty = text.trim() === '';
  const tooLong = text.length > maxMessageTextLength;

  // Choosing Reply means writing next: take the user there.
  useEffect(() => {
    if (replyTo) textarea.current?.focus();
  }, [replyTo?.id]);

  // The text leaves the composer as soon as it is sent, as in any messenger, so the next message
  // can be typed at once; it comes back only if the send was refused (never over new typing).
  const send = async (despiteWarning: boolean) => {
    if (empty || tooLong || disabledReason !== null) return;
    if (findings.length > 0 && (blocked || !despiteWarning)) {
      warning.current?.focus();
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

  return (
    <div className="composer">
      {replyTo && (
        <div className="reply-preview">
          <span>
            Replying to{' '}
            <strong>
              {replyTo.direction === 'outgoing' ? 'yourself' : replyTo.sender.displayName}
            </strong>
            : {wordExcerpt(replyTo.text, 90)}
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
      <label htmlFor="composer-text" className="visually-hidden">
        Message
      </label>
      <textarea
        id="composer-text"
        ref={textarea}
        rows={3}
        value={text}
        placeholder="Write a message. Enter sends, Shift+Enter for a new line."
        aria-describedby="composer-help"
        aria-invalid={tooLong || undefined}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
      />
      <div className="composer-bar">
        <p id="composer-help" className="hint">
          {tooLong
            ? `Too long: ${text.length} of ${maxMessageTextLength} characters. Shorten it or split it.`
            : 'Enter sends · Shift+Enter new line'}
        </p>
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
