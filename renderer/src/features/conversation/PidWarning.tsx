/**
 * Shown while the draft looks like it holds patient-identifiable data: what was found and why,
 * and what the user can do. NHS guidance asks for minimal PID in messages; false positives happen,
 * so the user always sees the reason and (unless policy blocks) may send anyway.
 */
import type { Ref } from 'react';
import type { PidFinding } from '../../../../shared/clinical/pid-finding.js';

interface Props {
  findings: readonly PidFinding[];
  blocked: boolean;
  onEdit(): void;
  onSendAnyway(): void;
  ref?: Ref<HTMLDivElement>;
}

export function PidWarning({ findings, blocked, onEdit, onSendAnyway, ref }: Props) {
  return (
    <div className="pid-warning" ref={ref} tabIndex={-1} aria-labelledby="pid-warning-title">
      <h2 id="pid-warning-title">
        {blocked
          ? 'This message cannot be sent: it looks like it contains patient details'
          : 'Check this message: it looks like it contains patient details'}
      </h2>
      <ul>
        {findings.map((finding) => (
          <li key={`${finding.start}-${finding.kind}`}>
            <strong>{finding.label}:</strong> <mark>{finding.text}</mark>
          </li>
        ))}
      </ul>
      <p>
        {blocked
          ? "Your practice's policy does not allow patient identifiers in messages. Remove them, or refer to the patient another way (for example their initials and appointment time)."
          : 'Send patient identifiers only if you need to. Remove them, or send anyway if this is not patient data or it is needed.'}
      </p>
      <div className="actions">
        <button type="button" onClick={onEdit}>
          Edit message
        </button>
        {!blocked && (
          <button type="button" className="button-warning" onClick={onSendAnyway}>
            Send anyway
          </button>
        )}
      </div>
    </div>
  );
}
