/**
 * A message's file inside its bubble: an inline image (JPEG, PNG) that opens full size, or a
 * file card (name, kind, size) with Open and Save; while it moves, a progress bar (and Cancel
 * while it uploads); when a download failed, why and Retry (a failed or cancelled upload fails
 * its message, whose own Retry shows).
 */
import { useEffect, useId } from 'react';
import type { MessageView } from '../../../../shared/ipc/view-schemas.js';
import {
  attachmentAvailable,
  attachmentTypeLabels,
  formatFileSize,
  isInlineImage,
  transferLabel,
  transferPercent,
} from '../../logic/attachment-display.js';
import { useAttachmentsContext } from './useAttachments.js';

interface Props {
  message: MessageView;
  /** The row's toolbar tab stop (-1 unless the row is the active one). */
  tabIndex: number;
}

export function AttachmentBlock({ message, tabIndex }: Props) {
  const attachments = useAttachmentsContext();
  const failureId = useId();
  const file = message.attachment;
  const available = attachmentAvailable(message);
  const inline = file !== null && file !== undefined && isInlineImage(file.type);
  useEffect(() => {
    if (available && inline) attachments?.loadImage(message);
  }, [available, inline, message.id]);
  if (!file || !attachments) return null;
  const image = attachments.image(message.id);
  const progress = transferLabel(message);
  const kind = attachmentTypeLabels[file.type];
  const showImage = inline && image?.url;
  return (
    <div className="attachment" data-attachment-state={file.state}>
      {showImage ? (
        <button
          type="button"
          className="attachment-thumb"
          tabIndex={tabIndex}
          onClick={() => attachments.view(message)}
        >
          <img src={image.url ?? undefined} alt={`${kind}: ${file.name}`} />
          <span className="visually-hidden">View full size</span>
        </button>
      ) : (
        <div className="file-card">
          <span className="file-kind" aria-hidden="true">
            {file.type === 'application/pdf' ? 'PDF' : file.type === 'text/plain' ? 'TXT' : 'IMG'}
          </span>
          <span className="file-details">
            <span className="file-name">{file.name}</span>
            <span className="file-meta">
              {kind} · {formatFileSize(file.size)}
            </span>
            {image?.problem && <span className="file-meta">{image.problem}</span>}
          </span>
        </div>
      )}
      {progress && (
        <div className="attachment-progress">
          <progress max={100} value={transferPercent(message)} aria-label={progress} />
          <span>{progress}</span>
          {message.direction === 'outgoing' && file.state === 'uploading' && (
            <button
              type="button"
              className="button-quiet"
              onClick={() => void attachments.cancel(message)}
            >
              Cancel<span className="visually-hidden"> sending {file.name}</span>
            </button>
          )}
        </div>
      )}
      {message.direction === 'incoming' && file.state === 'failed' && (
        <div className="message-failure">
          <p id={failureId}>{file.failure ?? 'The file could not be fetched.'}</p>
          <button
            type="button"
            className="button-danger"
            aria-describedby={failureId}
            onClick={() => void attachments.retry(message)}
          >
            Retry<span className="visually-hidden"> fetching {file.name}</span>
          </button>
        </div>
      )}
      {available && (
        <div className="attachment-actions">
          {!showImage && (
            <button
              type="button"
              tabIndex={tabIndex}
              onClick={() => attachments.askToOpen(message)}
            >
              Open<span className="visually-hidden"> {file.name}</span>
            </button>
          )}
          <button type="button" tabIndex={tabIndex} onClick={() => void attachments.save(message)}>
            Save<span className="visually-hidden"> {file.name}</span>
          </button>
        </div>
      )}
    </div>
  );
}
