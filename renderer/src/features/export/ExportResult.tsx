/** What the export wrote, or that nothing was (the user closed the folder dialog). */
import type { Exported } from './useConversationExport.js';

export function ExportResult({ result, onClose }: { result: Exported; onClose(): void }) {
  return (
    <div className="export-result">
      {result.exported ? (
        <>
          <p className="success" role="status">
            Exported {result.messageCount === 1 ? '1 message' : `${result.messageCount} messages`}.
          </p>
          <p>These files are in the folder you chose:</p>
          <ul className="export-files">
            {result.files.map((file) => (
              <li key={file}>{file}</li>
            ))}
          </ul>
        </>
      ) : (
        <p role="status">Nothing was exported: no folder was chosen.</p>
      )}
      <button type="button" className="button-primary" onClick={onClose}>
        Done
      </button>
    </div>
  );
}
