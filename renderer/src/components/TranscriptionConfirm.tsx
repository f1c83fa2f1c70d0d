/**
 * The last step of a transcription. "Entered into the record" is offered only once the entry
 * left the app (copied, or the FHIR file saved) or the clinician ticks that they entered it
 * another way; main enforces the same. A confirmation names how many messages go from how many
 * devices; then a short undo window counts down before the deletion goes out.
 */
import { useEffect, useState } from 'react';
import type { MethodResponse } from '../../../shared/ipc/contract.js';
import type { TranscriptionFormInput } from '../../../shared/ipc/clinical-schemas.js';
import { call, errorMessage, messenger } from '../api.js';
import { formatWhen } from '../logic/format.js';
import { deletionQuestion } from '../logic/deletion-scope-text.js';
import type { TranscriptionFields } from '../logic/transcription-form.js';

export type Confirmed = MethodResponse<'transcription.confirm'>;
type Scope = MethodResponse<'transcription.scope'>;

interface Props {
  form: TranscriptionFormInput;
  ready: boolean;
  /** This exact entry was copied or saved as a FHIR file. */
  handedOver: boolean;
  fields: TranscriptionFields;
  onFields(update: Partial<TranscriptionFields>): void;
  onConfirmed(result: Confirmed): void;
}

type Step =
  { kind: 'form' } | { kind: 'asking'; scope: Scope } | { kind: 'undo'; result: Confirmed };

export function TranscriptionConfirm(props: Props) {
  const { form, ready, handedOver, fields, onFields, onConfirmed } = props;
  const [anotherWay, setAnotherWay] = useState(false);
  const [step, setStep] = useState<Step>({ kind: 'form' });
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const mayConfirm = ready && (handedOver || anotherWay);

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setProblem(null);
    try {
      await work();
    } catch (error) {
      setProblem(errorMessage(error));
    } finally {
      setBusy(false);
    }
  };
  const ask = () =>
    run(async () => {
      const scope = await call(
        messenger().transcription.scope({
          conversationId: form.conversationId,
          messageIds: [...form.messageIds],
        }),
      );
      setNote(null);
      setStep({ kind: 'asking', scope });
    });
  const confirm = () =>
    run(async () => {
      const result = await call(
        messenger().transcription.confirm({ form, enteredAnotherWay: anotherWay }),
      );
      setStep({ kind: 'undo', result });
    });
  const undo = (auditId: number) =>
    run(async () => {
      await call(messenger().transcription.undo({ auditId }));
      setStep({ kind: 'form' });
      setNote('Undone: nothing was deleted. The audit log records the confirmation and the undo.');
    });

  if (step.kind === 'undo') {
    return (
      <UndoCountdown
        result={step.result}
        busy={busy}
        problem={problem}
        onUndo={() => void undo(step.result.auditId)}
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
              onClick={() => void confirm()}
            >
              Yes, confirm and delete
            </button>
          )}
          <button type="button" disabled={busy} onClick={() => setStep({ kind: 'form' })}>
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
          checked={anotherWay}
          onChange={(e) => setAnotherWay(e.target.checked)}
        />
        <span>I have entered it another way (not copied or saved from here)</span>
      </label>
      {note && <p role="status">{note}</p>}
      {problem && (
        <p className="alert" role="alert">
          {problem}
        </p>
      )}
      <button
        type="button"
        className="button-primary"
        disabled={!mayConfirm || busy}
        onClick={() => void ask()}
      >
        Entered into the record
      </button>
      {!ready && <p className="hint">Complete the entry first (see the list above).</p>}
      {ready && !mayConfirm && (
        <p className="hint">
          Copy the entry or save the FHIR file and put it in the record first, or tick &quot;I have
          entered it another way&quot;.
        </p>
      )}
    </section>
  );
}

function UndoCountdown(props: {
  result: Confirmed;
  busy: boolean;
  problem: string | null;
  onUndo(): void;
  onElapsed(): void;
}) {
  const { result, busy, problem, onUndo, onElapsed } = props;
  const left = () => Math.max(0, Math.ceil((result.undoUntil - Date.now()) / 1000));
  const [seconds, setSeconds] = useState(left);
  useEffect(() => {
    const timer = setInterval(() => {
      const now = left();
      setSeconds(now);
      if (now === 0) {
        clearInterval(timer);
        onElapsed();
      }
    }, 250);
    return () => clearInterval(timer);
  }, []);
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

export function TranscriptionResult({ result, onDone }: { result: Confirmed; onDone(): void }) {
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
