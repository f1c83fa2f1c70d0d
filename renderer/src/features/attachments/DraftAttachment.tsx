/** The file about to be sent, above the caption: its preview (an image) or its card, and Remove. */
import type { StagedAttachment } from '../../../../shared/ipc/attachment-schemas.js';
import { Icon } from '../../components/Icon.js';
import { attachmentTypeLabels, formatFileSize } from '../../logic/attachment-display.js';
import { useBlobUrl } from './useBlobUrl.js';

interface Props {
  staged: StagedAttachment;
  onRemove(): void;
}

export function DraftAttachment({ staged, onRemove }: Props) {
  const url = useBlobUrl(staged.imageBase64, staged.type);
  const kind = attachmentTypeLabels[staged.type];
  return (
    <div className="draft-attachment" aria-label="File to send" role="group">
      {url ? (
        <img src={url} alt={`Preview of ${staged.name}`} />
      ) : (
        <span className="file-kind" aria-hidden="true">
          {staged.type === 'application/pdf' ? 'PDF' : staged.type === 'text/plain' ? 'TXT' : 'IMG'}
        </span>
      )}
      <span className="file-details">
        <span className="file-name">{staged.name}</span>
        <span className="file-meta">
          {kind} · {formatFileSize(staged.size)} · end-to-end encrypted
        </span>
      </span>
      <button type="button" className="button-quiet" onClick={onRemove}>
        <Icon name="close" size={16} />
        Remove<span className="visually-hidden"> {staged.name}</span>
      </button>
    </div>
  );
}
