/**
 * Clinicians' advice on this device that is in no patient record and that retention deletes
 * soon (the policy's retentionWarningDays): open the conversation to transcribe it, or mark it
 * "no record needed" (audited).
 */
import { Dialog } from '../../components/Dialog.js';
import { formatWhen, roleLabel } from '../../logic/format.js';
import { useUntranscribedAdvice } from './useUntranscribedAdvice.js';

interface Props {
  onOpenConversation(conversationId: string): void;
  onChanged(count: number): void;
  onClose(): void;
}

export function UntranscribedAdviceDialog({ onOpenConversation, onChanged, onClose }: Props) {
  const { list, problem, noRecordNeeded } = useUntranscribedAdvice(onChanged);

  return (
    <Dialog title="Advice not in the record" onClose={onClose} wide>
      <p className="hint">
        Messages from clinicians that were neither transcribed into a patient record nor marked
        &quot;no record needed&quot;, which retention deletes from this device within{' '}
        {list ? `${list.warningDays} days` : 'the warning period'}.
      </p>
      {problem && (
        <p className="alert" role="alert">
          {problem}
        </p>
      )}
      {list && list.items.length === 0 && <p role="status">Nothing is waiting: all clear.</p>}
      {list && list.items.length > 0 && (
        <ul className="advice-list" aria-label="Untranscribed advice">
          {list.items.map((item) => (
            <li key={item.messageId}>
              <p>
                <strong>
                  {item.senderName} · {roleLabel(item.senderRole)}
                </strong>
                , {formatWhen(item.sentAt)}. Deleted {formatWhen(item.expiresAt)}.
              </p>
              <p className="advice-excerpt">{item.excerpt}</p>
              <div className="actions">
                <button type="button" onClick={() => onOpenConversation(item.conversationId)}>
                  Open conversation
                </button>
                <button type="button" onClick={() => void noRecordNeeded(item.messageId)}>
                  No record needed
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
    </Dialog>
  );
}
