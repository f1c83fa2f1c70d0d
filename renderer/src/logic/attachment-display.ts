/** How a message's file is described and what can be done with it, in the conversation. */
import type { AttachmentType, MessageView } from '../../../shared/ipc/view-schemas.js';

export const attachmentTypeLabels: Readonly<Record<AttachmentType, string>> = {
  'image/jpeg': 'JPEG image',
  'image/png': 'PNG image',
  'image/heic': 'HEIC image',
  'application/pdf': 'PDF document',
  'text/plain': 'Text file',
};

/** "820 KB", "3.4 MB": the way a file manager says it. */
export function formatFileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1_048_576) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  return `${(bytes / 1_048_576).toFixed(1)} MB`;
}

/** The bytes are on this device: always for a file we sent, once downloaded for one received. */
export function attachmentAvailable(message: MessageView): boolean {
  const a = message.attachment;
  if (!a) return false;
  return message.direction === 'outgoing' || a.state === 'ready';
}

/** JPEG and PNG are decoded in the renderer and shown in the conversation. */
export function isInlineImage(type: AttachmentType): boolean {
  return type === 'image/jpeg' || type === 'image/png';
}

/** "Uploading 40%" / "Downloading 2 of 5 parts": null when nothing is moving. */
export function transferLabel(message: MessageView): string | null {
  const a = message.attachment;
  if (!a || (a.state !== 'uploading' && a.state !== 'downloading')) return null;
  const verb = a.state === 'uploading' ? 'Uploading' : 'Downloading';
  if (!a.progress) return `${verb}…`;
  return `${verb} ${transferPercent(message)}%`;
}

export function transferPercent(message: MessageView): number {
  const progress = message.attachment?.progress;
  if (!progress) return 0;
  return Math.min(100, Math.round((progress.done / progress.total) * 100));
}

/** An excerpt for a message that may carry only a file (reply previews, selection labels). */
export function messageExcerptText(message: MessageView): string {
  if (message.text.trim() !== '') return message.text;
  return message.attachment ? `File: ${message.attachment.name}` : '';
}
