/** Shown while choosing messages to transcribe: how many are chosen, and what to do next. */
interface Props {
  count: number;
  onTranscribe(): void;
  onCancel(): void;
}

export function SelectionBar({ count, onTranscribe, onCancel }: Props) {
  return (
    <div className="selection-bar" role="region" aria-label="Messages to transcribe">
      <p role="status">
        {count === 0
          ? 'Tick the messages to copy into the patient record: the question and the advice.'
          : count === 1
            ? '1 message selected.'
            : `${count} messages selected.`}
      </p>
      <div className="actions">
        <button
          type="button"
          className="button-primary"
          disabled={count === 0}
          onClick={onTranscribe}
        >
          Transcribe selected
        </button>
        <button type="button" onClick={onCancel}>
          Cancel selection
        </button>
      </div>
    </div>
  );
}
