/**
 * The undo window after confirming: nothing has gone out yet, and Undo cancels it. When the
 * window ends the deletion (or the transcribed marking) goes out and the panel shows the outcome.
 */
import { formatWhen } from '../../logic/format.js';
import type { Confirmed } from '../../logic/transcription-confirm-step.js';
import { useUndoCountdown } from './useUndoCountdown.js';

interface Props {
  result: Confirmed;
  busy: boolean;
  problem: string | null;
  onUndo(): void;
  onElapsed(): void;
}

export function UndoCountdown({ result, busy, problem, onUndo, onElapsed }: Props) {
  const seconds = useUndoCountdown(result.undoUntil, onElapsed);
  return (
    <section className="transcription-confirm" aria-labelledby="undo-title">
      <h3 id="undo-title">Confirmed</h3>
      <p role="timer" aria-live="polite">
        {result.originals === 'now'
          ? `The originals will be deleted on every device in ${seconds} s.`
          : `The originals will be marked transcribed in ${seconds} s and deleted on every device at ${formatWhen(result.deleteAt)}.`}
      </p>
      {problem && (
        <p className="alert" role="alert">
          {problem}
        </p>
      )}
      <button type="button" className="button-primary" disabled={busy} onClick={onUndo}>
        Undo
      </button>
    </section>
  );
}
