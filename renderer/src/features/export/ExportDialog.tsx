/**
 * Subject Access Request export of one conversation: only where the practice's policy allows it,
 * and only after the passcode is typed again, so an unlocked, unattended PC is not enough. Main
 * asks where to save (a folder dialog) and writes a readable HTML file and a JSON file.
 */
import type { ConversationSummary, PolicyView } from '../../../../shared/ipc/view-schemas.js';
import { Dialog } from '../../components/Dialog.js';
import { ExportResult } from './ExportResult.js';
import { SarExportFields } from './SarExportFields.js';
import { useConversationExport } from './useConversationExport.js';

interface Props {
  conversation: ConversationSummary;
  policy: PolicyView;
  onClose(): void;
}

export function ExportDialog({ conversation, policy, onClose }: Props) {
  const { busy, result, onSubmit, ...fields } = useConversationExport(conversation.id);
  const allowed = policy.allowExport;

  return (
    <Dialog title="Export for a Subject Access Request" onClose={onClose}>
      <p>
        Conversation with <strong>{conversation.title}</strong>
      </p>
      {!allowed ? (
        // Only the explanation: greyed-out fields would suggest a passcode could unlock it.
        <div className="export-refused">
          <p>
            Your practice&apos;s policy does not allow exporting conversations from this computer.
            If you need this conversation for a Subject Access Request, ask your practice manager or
            IT support.
          </p>
          <div className="actions">
            <button type="button" className="button-primary" onClick={onClose}>
              OK
            </button>
          </div>
        </div>
      ) : result ? (
        <ExportResult result={result} onClose={onClose} />
      ) : (
        <p className="hint">
          Saves the whole conversation as a readable web page (HTML) and a data file (JSON) in a
          folder you choose. The export is recorded in the audit log. It contains patient
          information: keep it as your practice&apos;s SAR procedure says.
        </p>
      )}
      {allowed && !result && (
        <form onSubmit={onSubmit} noValidate>
          <SarExportFields {...fields} />
          <div className="actions">
            <button type="submit" className="button-primary" disabled={busy}>
              Export conversation…
            </button>
            <button type="button" onClick={onClose}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
