/**
 * The last step of a transcription. "Entered into the record" is offered only once the entry
 * left the app (copied, or the FHIR file saved) or the clinician ticks that they entered it
 * another way; main enforces the same. A confirmation names how many messages go from how many
 * devices; then a short undo window counts down before the deletion goes out.
 */
import type { TranscriptionFormInput } from '../../../../shared/ipc/clinical-schemas.js';
import { deletionQuestion } from '../../logic/deletion-scope-text.js';
import { mayConfirm, type Confirmed } from '../../logic/transcription-confirm-step.js';
import type { TranscriptionFields } from '../../logic/transcription-form.js';
import { UndoCountdown } from './UndoCountdown.js';
import { useConfirmFlow } from './useConfirmFlow.js';

interface Props {
  form: TranscriptionFormInput;
  ready: boolean;
  /** This exact entry was copied or saved as a FHIR file. */
  handedOver: boolean;
  fields: TranscriptionFields;
  onFields(update: Partial<TranscriptionFields>): void;
  onConfirmed(result: Confirmed): void;
}

export function TranscriptionConfirm(props: Props) {
  const { form, ready, handedOver, fields, onFields, onConfirmed } = props;
  const flow = useConfirmFlow(form);
  const { step, busy, problem } = flow;
  const confirmable = mayConfirm(ready, handedOver, flow.enteredAnotherWay);

  if (step.kind === 'undo') {
    return (
      <UndoCountdown
        result={step.result}
        busy={busy}
        problem={problem}
        onUndo={() => void flow.undo(step.result.auditId)}
        onElapsed={() => onConfirmed(step.result)}
      />
    );
  }
  if (step.kind === 'asking') {
    const { scope } = step;
    return (
      <section className="transcription-confirm" aria-labelledby="confirm-title">
        <h3 id="confirm-title">Delete the originals?</h3>
        {scope.refusal ? (
          <p className="alert" role="alert">
            {scope.refusal}
          </p>
        ) : (
          <p role="status">{deletionQuestion(scope, fields.deleteWhen === 'now')}</p>
        )}
        {problem && (
          <p className="alert" role="alert">
            {problem}
          </p>
        )}
        <div className="actions">
          {!scope.refusal && (
            <button
              type="button"
              className="button-primary"
              disabled={busy}
              onClick={() => void flow.confirm()}
            >
              Yes, confirm and delete
            </button>
          )}
          <button type="button" disabled={busy} onClick={flow.back}>
            Back
          </button>
        </div>
      </section>
    );
  }
  return (
    <section className="transcription-confirm" aria-labelledby="confirm-title">
      <h3 id="confirm-title">Entered into the record?</h3>
      <fieldset className="radios">
        <legend>Then delete the original messages on every device</legend>
        <label className="radio">
          <input
            type="radio"
            name="delete-when"
            checked={fields.deleteWhen === 'later'}
            onChange={() => onFields({ deleteWhen: 'later' })}
          />
          <span>At a later time (at most 30 days)</span>
        </label>
        <label className="radio">
          <input
            type="radio"
            name="delete-when"
            checked={fields.deleteWhen === 'now'}
            onChange={() => onFields({ deleteWhen: 'now' })}
          />
          <span>Now (after a 10 second undo window)</span>
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
      <label className="checkbox">
        <input
          type="checkbox"
          checked={flow.enteredAnotherWay}
          onChange={(e) => flow.setEnteredAnotherWay(e.target.checked)}
        />
        <span>I have entered it another way (not copied or saved from here)</span>
      </label>
      {step.note && <p role="status">{step.note}</p>}
      {problem && (
        <p className="alert" role="alert">
          {problem}
        </p>
      )}
      <button
        type="button"
        className="button-primary"
        disabled={!confirmable || busy}
        onClick={() => void flow.ask()}
      >
        Entered into the record
      </button>
      {!ready && <p className="hint">Complete the entry first (see the list above).</p>}
      {ready && !confirmable && (
        <p className="hint">
          Copy the entry or save the FHIR file and put it in the record first, or tick &quot;I have
          entered it another way&quot;.
        </p>
      )}
    </section>
  );
}
