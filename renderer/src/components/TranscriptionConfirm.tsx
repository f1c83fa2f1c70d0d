/**
 * The last step of a transcription: the clinician says the entry is in the record and chooses
 * when the originals go (now, or at a later time, on every device), then sees what happened.
 */
import { useState } from 'react';
import type { MethodResponse } from '../../../shared/ipc/contract.js';
import type { TranscriptionFormInput } from '../../../shared/ipc/clinical-schemas.js';
import { call, errorMessage, messenger } from '../api.js';
import { formatWhen } from '../logic/format.js';
import type { TranscriptionFields } from '../logic/transcription-form.js';

export type Confirmed = MethodResponse<'transcription.confirm'>;

interface Props {
  form: TranscriptionFormInput;
  ready: boolean;
  fields: TranscriptionFields;
  onFields(update: Partial<TranscriptionFields>): void;
  onConfirmed(result: Confirmed): void;
}

export function TranscriptionConfirm({ form, ready, fields, onFields, onConfirmed }: Props) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  const confirm = async () => {
    setBusy(true);
    setProblem(null);
    try {
      onConfirmed(await call(messenger().transcription.confirm({ form })));
    } catch (error) {
      setProblem(errorMessage(error));
      setBusy(false);
    }
  };

  return (
    <section className="transcription-confirm" aria-labelledby="confirm-title">
      <h3 id="confirm-title">Entered into the record?</h3>
      <fieldset className="radios">
        <legend>Then delete the original messages on every device</legend>
        <label className="radio">
          <input
            type="radio"
            name="delete-when"
            checked={fields.deleteWhen === 'now'}
            onChange={() => onFields({ deleteWhen: 'now' })}
          />
          <span>Now</span>
        </label>
        <label className="radio">
          <input
            type="radio"
            name="delete-when"
            checked={fields.deleteWhen === 'later'}
            onChange={() => onFields({ deleteWhen: 'later' })}
          />
          <span>At a later time (at most 30 days)</span>
        </label>
        {fields.deleteWhen === 'later' && (
          <div className="field">
            <label htmlFor="delete-at">Delete the originals at</label>
            <input
              id="delete-at"
              type="datetime-local"
              value={fields.deleteAt}
              onChange={(e) => onFields({ deleteAt: e.target.value })}
            />
          </div>
        )}
      </fieldset>
      {problem && (
        <p className="alert" role="alert">
          {problem}
        </p>
      )}
      <button
        type="button"
        className="button-primary"
        disabled={!ready || busy}
        onClick={() => void confirm()}
      >
        Entered into the record
      </button>
      {!ready && <p className="hint">Complete the entry first (see the list above).</p>}
    </section>
  );
}

export function TranscriptionResult({ result, onDone }: { result: Confirmed; onDone(): void }) {
  const text = {
    deleted: 'The original messages have been deleted on every device.',
    scheduled: `The original messages will be deleted on every device at ${formatWhen(result.deleteAt)}. Until then they show as transcribed.`,
    retrying: `The original messages could not be deleted everywhere just now. Practice Messenger will keep trying, and deletes them here by ${formatWhen(result.deleteAt)} at the latest.`,
  }[result.originals];
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
