/**
 * Writing to a duty role: says first who it will reach ("Goes to Dr A Patel", or, with nobody on
 * duty, that it will go to the escalation role instead, which the user confirms), then sends and
 * opens the conversation with the (first) holder, where the message shows "To Duty doctor → …".
 */
import { useEffect, useId, useState } from 'react';
import type { RoleView } from '../../../../shared/ipc/role-schemas.js';
import type { ConversationSummary } from '../../../../shared/ipc/view-schemas.js';
import { call, errorMessage, messenger, UiError } from '../../api.js';
import { Dialog } from '../../components/Dialog.js';

interface Plan {
  holders: { displayName: string }[];
  redirectedTo: RoleView | null;
}

interface Props {
  role: RoleView;
  onClose(): void;
  onSent(conversation: ConversationSummary): void;
}

export function RoleMessageDialog({ role, onClose, onSent }: Props) {
  const [plan, setPlan] = useState<Plan | null>(null);
  const [text, setText] = useState('');
  const [urgent, setUrgent] = useState(false);
  const [pidWarning, setPidWarning] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const textId = useId();

  useEffect(() => {
    void call(messenger().roles.plan({ roleId: role.roleId }))
      .then(setPlan)
      .catch((error: unknown) => setProblem(errorMessage(error)));
  }, [role.roleId]);

  const nobody = plan !== null && plan.holders.length === 0;
  const send = async (sendDespitePidWarning: boolean) => {
    setBusy(true);
    setProblem(null);
    try {
      const sent = await call(
        messenger().roles.send({
          roleId: role.roleId,
          text: text.trim(),
          urgent,
          toEscalation: plan?.redirectedTo !== null,
          sendDespitePidWarning,
        }),
      );
      const first = sent.holders[0];
      if (!first) return onClose();
      const { conversation } = await call(
        messenger().conversations.create({ participantIds: [first.accountId] }),
      );
      onSent(conversation);
    } catch (error) {
      if (
        error instanceof UiError &&
        error.code === 'policy_restricted' &&
        !sendDespitePidWarning
      ) {
        setPidWarning(error.message);
      } else {
        setProblem(errorMessage(error));
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title={`Message ${role.name}`} onClose={onClose}>
      {plan === null && !problem && <p>Finding who is on duty…</p>}
      {plan && !nobody && plan.redirectedTo === null && (
        <p className="role-plan">Goes to {plan.holders.map((h) => h.displayName).join(', ')}</p>
      )}
      {plan && plan.redirectedTo && !nobody && (
        <p className="alert role-plan" role="alert">
          Nobody is on duty as {role.name}. It will go to {plan.redirectedTo.name} (
          {plan.holders.map((h) => h.displayName).join(', ')}) instead.
        </p>
      )}
      {nobody && (
        <p className="alert role-plan" role="alert">
          Nobody is on duty as {role.name}
          {plan?.redirectedTo ? ` or ${plan.redirectedTo.name}` : ''}. Nothing can be sent.
        </p>
      )}
      <div className="field">
        <label htmlFor={textId}>Message</label>
        <textarea
          id={textId}
          data-autofocus
          rows={4}
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            setPidWarning(null);
          }}
        />
      </div>
      <label className="checkbox">
        <input type="checkbox" checked={urgent} onChange={(e) => setUrgent(e.target.checked)} />
        <span>
          Urgent (asks for acknowledgement
          {role.escalateTo ? `; escalates to ${role.escalateTo.name} if nobody acknowledges` : ''})
        </span>
      </label>
      {pidWarning && (
        <p className="alert" role="alert">
          {pidWarning}
        </p>
      )}
      {problem && (
        <p className="alert" role="alert">
          {problem}
        </p>
      )}
      <div className="actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        {pidWarning && (
          <button type="button" disabled={busy} onClick={() => void send(true)}>
            Send anyway
          </button>
        )}
        <button
          type="button"
          className="button-primary"
          disabled={busy || plan === null || nobody || text.trim() === ''}
          onClick={() => void send(false)}
        >
          {plan?.redirectedTo ? `Send to ${plan.redirectedTo.name}` : `Send to ${role.name}`}
        </button>
      </div>
    </Dialog>
  );
}
