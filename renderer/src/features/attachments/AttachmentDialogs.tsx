/**
 * The conversation's two attachment dialogs: an image at full size (with Save), and the warning
 * before a file is handed to another app (Open).
 */
import type { MessageView } from '../../../../shared/ipc/view-schemas.js';
import { Dialog } from '../../components/Dialog.js';
import { attachmentTypeLabels } from '../../logic/attachment-display.js';
import type { Attachments } from './useAttachments.js';

export function AttachmentDialogs({ attachments }: { attachments: Attachments }) {
  const { viewing, confirmingOpen } = attachments;
  return (
    <>
      {viewing?.attachment && <ImageViewer message={viewing} attachments={attachments} />}
      {confirmingOpen?.attachment && (
        <Dialog title="Open in another app?" onClose={() => attachments.askToOpen(null)}>
          <p>
            <strong>{confirmingOpen.attachment.name}</strong> (
            {attachmentTypeLabels[confirmingOpen.attachment.type]}) will open in your
            computer&apos;s own viewer. A decrypted copy is kept on this computer until you lock
            Practice Messenger; the viewer may keep its own copy or history.
          </p>
          <p>Open it only if you expected this file. To keep it, use Save instead.</p>
          <div className="actions">
            <button type="button" onClick={() => attachments.askToOpen(null)}>
              Cancel
            </button>
            <button
              type="button"
              className="button-primary"
              data-autofocus
              onClick={() => void attachments.open(confirmingOpen)}
            >
              Open
            </button>
          </div>
        </Dialog>
      )}
    </>
  );
}

function ImageViewer({ message, attachments }: { message: MessageView; attachments: Attachments }) {
  const file = message.attachment;
  const url = attachments.image(message.id)?.url;
  if (!file || !url) return null;
  return (
    <Dialog title={file.name} wide onClose={() => attachments.view(null)}>
      <div className="image-viewer">
        <img src={url} alt={`${attachmentTypeLabels[file.type]}: ${file.name}`} />
      </div>
      <div className="actions">
        <button type="button" onClick={() => void attachments.save(message)}>
          Save
        </button>
      </div>
    </Dialog>
  );
}
