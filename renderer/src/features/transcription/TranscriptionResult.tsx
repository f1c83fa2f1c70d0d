/** The outcome once the undo window ended: the audit entry, and what became of the originals. */
import { formatWhen } from '../../logic/format.js';
import type { Confirmed } from '../../logic/transcription-confirm-step.js';

interface Props {
  result: Confirmed;
  onDone(): void;
}

export function TranscriptionResult({ result, onDone }: Props) {
  const text =
    result.originals === 'now'
      ? 'The deletion has gone out: the original messages are deleted on every device, each showing a marker in their place.'
      : `The original messages show as transcribed and will be deleted on every device at ${formatWhen(result.deleteAt)}.`;
  return (
    <div className="transcription-result">
      <p className="success" role="status">
        Transcription recorded in the audit log (entry {result.auditId}).
      </p>
      <p>{text}</p>
      <button type="button" className="button-primary" onClick={onDone}>
        Done
      </button>
    </div>
  );
}
