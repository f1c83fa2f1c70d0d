/**
 * What a message shows of its duty role (issue 15): "To Duty doctor → Dr A Patel" on the
 * sender's copy, "To Duty doctor" (or "escalated from …") on a holder's, the acknowledgement
 * state ("Acknowledged by Dr A Patel at 14:02", "Escalated to All clinicians at 14:12"), and the
 * Acknowledge button while this holder has not acknowledged.
 */
import { useState } from 'react';
import type { MessageView } from '../../../../shared/ipc/view-schemas.js';
import { call, errorMessage, messenger } from '../../api.js';

export function MessageRoleLine({ message }: { message: MessageView }) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const role = message.role;
  if (!role) return null;
  const heading =
    role.recipients ??
    `To ${role.name}${role.escalatedFrom ? ` (escalated from ${role.escalatedFrom})` : ''}`;
  const acknowledge = async () => {
    setBusy(true);
    setProblem(null);
    try {
      await call(messenger().roles.acknowledge({ messageId: message.id }));
    } catch (error) {
      setProblem(errorMessage(error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="message-role">
      <p className="message-role-to">{heading}</p>
      {role.ack && (
        <p className={`message-ack message-ack-${role.ack.state}`} data-ack-state={role.ack.state}>
          {role.ack.line}
        </p>
      )}
      {role.ack?.canAcknowledge && (
        <button
          type="button"
          className="button-primary message-ack-button"
          disabled={busy}
          onClick={() => void acknowledge()}
        >
          Acknowledge
        </button>
      )}
      {problem && (
        <p className="alert" role="alert">
          {problem}
        </p>
      )}
    </div>
  );
}
