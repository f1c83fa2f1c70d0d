/**
 * The conversation's disappearing-message timer: Off or one of the app's choices, none longer
 * than the practice keeps messages. Both sides get the same timer and a notice; in a group only
 * its admins may change it (everyone else sees what it is).
 */
import { useId, useState } from 'react';
import { disappearingChoices } from '../../../../shared/ipc/conversation-action-schemas.js';
import { call, errorMessage, messenger } from '../../api.js';
import { Dialog } from '../../components/Dialog.js';
import { disappearingLabel } from '../../logic/disappearing-label.js';

interface Props {
  conversationId: string;
  current: number | null;
  /** The practice's retention period, or null when it keeps messages until deleted. */
  retentionDays: number | null;
  /** Why the user may not change it (a group member who is not an admin), else null. */
  readOnlyReason: string | null;
  onChanged(seconds: number | null): void;
  onClose(): void;
}

export function DisappearingTimerDialog(props: Props) {
  const { retentionDays, readOnlyReason } = props;
  const [chosen, setChosen] = useState(props.current ?? 0);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const name = useId();
  const limit = retentionDays === null ? null : retentionDays * 86_400;
  const save = async () => {
    setBusy(true);
    setProblem(null);
    try {
      const { disappearingSeconds } = await call(
        messenger().conversations.setDisappearingTimer({
          conversationId: props.conversationId,
          seconds: chosen,
        }),
      );
      props.onChanged(disappearingSeconds);
      props.onClose();
    } catch (error) {
      setProblem(errorMessage(error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog title="Disappearing messages" onClose={props.onClose}>
      {problem && (
        <p className="alert" role="alert">
          {problem}
        </p>
      )}
      <p>
        New messages are deleted from every device this long after they are sent. Everyone in the
        conversation sees that the timer changed.
      </p>
      {limit !== null && (
        <p className="hint">Your practice keeps messages for {retentionDays} days at most.</p>
      )}
      {readOnlyReason && <p className="hint">{readOnlyReason}</p>}
      <fieldset className="radios" disabled={readOnlyReason !== null || busy}>
        <legend>Delete new messages after</legend>
        {disappearingChoices.map((seconds) => {
          const tooLong = limit !== null && seconds > limit;
          const id = `${name}-${seconds}`;
          return (
            <div className="radio" key={seconds}>
              <input
                type="radio"
                id={id}
                name={name}
                value={seconds}
                checked={chosen === seconds}
                disabled={tooLong}
                onChange={() => setChosen(seconds)}
              />
              <label htmlFor={id}>
                {disappearingLabel(seconds)}
                {tooLong && <span className="hint">Longer than your practice keeps messages.</span>}
              </label>
            </div>
          );
        })}
      </fieldset>
      {readOnlyReason === null && (
        <div className="actions">
          <button
            type="button"
            className="button-primary"
            disabled={busy || chosen === (props.current ?? 0)}
            onClick={() => void save()}
          >
            Set timer
          </button>
        </div>
      )}
    </Dialog>
  );
}
