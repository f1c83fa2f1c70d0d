import { MessengerError } from '../../../../shared/errors.js';
import { detectAttachmentType, type AttachmentType } from './file-type.js';

export interface AttachmentAllowance {
  /** The practice's cap (policy `maxAttachmentMB`). */
  readonly maxBytes: number;
  /** The practice's allowed types (policy `attachmentTypes`); all safe types when absent. */
  readonly allowedTypes?: readonly string[];
}

/**
 * What may be sent, decided before anything is stored: the size against the practice's cap and
 * the type, found in the bytes, against the safe types and the practice's list. Run when a file
 * is chosen (so the user hears at once) and again when it is sent.
 */
export function checkAttachment(bytes: Uint8Array, allowance: AttachmentAllowance): AttachmentType {
  if (bytes.length > allowance.maxBytes) {
    throw new MessengerError(
      'invalid_input',
      `The file is ${mb(bytes.length)} MB; the practice allows attachments up to ${mb(allowance.maxBytes)} MB.`,
    );
  }
  const type = detectAttachmentType(bytes);
  if (allowance.allowedTypes && !allowance.allowedTypes.includes(type)) {
    throw new MessengerError(
      'forbidden',
      `The file is ${type}, which the practice's policy does not allow to be sent (allowed: ${allowance.allowedTypes.join(', ')}).`,
    );
  }
  return type;
}

const mb = (bytes: number) => Math.round((bytes / 1_048_576) * 10) / 10;
