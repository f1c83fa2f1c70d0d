/**
 * The files of the selected messages, for the record entry: listed (name, type, size, SHA-256)
 * in the plain text and FHIR, and in FHIR carried as `payload.contentAttachment` with the R4
 * hash (base64 SHA-1) and, up to fhirInlineAttachmentMaxBytes, the bytes themselves. The bytes
 * are decrypted here, in main, only while the FHIR text is built; they are checked against the
 * SHA-256 the sender sent, so what the record gets is what the conversation showed.
 */
import { createHash } from 'node:crypto';
import {
  fhirInlineAttachmentMaxBytes,
  type FhirAttachmentContent,
} from '../../../shared/clinical/fhir-communication.js';
import type { RecordAttachment } from '../../../shared/clinical/record-entry.js';
import { MessengerError } from '../../../shared/errors.js';
import type { AttachmentsRepository } from '../db/repositories/attachments-repository.js';
import { decryptFile } from '../messaging/attachments/attachment-crypto.js';

type Files = Pick<AttachmentsRepository, 'get' | 'chunk'>;

/** What the entry lists for these messages, in their order; messages without a file add none. */
export function entryAttachments(files: Files, messageIds: readonly string[]): RecordAttachment[] {
  return messageIds.flatMap((id) => {
    const record = files.get(id);
    if (!record) return [];
    return [
      {
        name: record.fileName,
        contentType: record.contentType,
        size: record.size,
        sha256: record.sha256,
      },
    ];
  });
}

/**
 * The hash and inline bytes of each selected message's file that is stored here in full, keyed
 * by SHA-256. A file not (yet) downloaded, or one that fails its check, is left out: the entry
 * then lists it without a hash rather than with bytes nobody checked.
 */
export function fhirAttachmentContent(
  files: Files,
  messageIds: readonly string[],
  inlineMaxBytes: number = fhirInlineAttachmentMaxBytes,
): Map<string, FhirAttachmentContent> {
  const content = new Map<string, FhirAttachmentContent>();
  for (const id of messageIds) {
    const record = files.get(id);
    if (!record || content.has(record.sha256)) continue;
    if (record.direction === 'incoming' && record.state !== 'ready') continue;
    const chunks: Buffer[] = [];
    for (let i = 0; i < record.chunkCount; i += 1) {
      const chunk = files.chunk(id, i);
      if (chunk) chunks.push(chunk);
    }
    if (chunks.length !== record.chunkCount) continue;
    let bytes: Buffer;
    try {
      bytes = decryptFile(record.fileKey, chunks, record.sha256, record.size);
    } catch {
      continue;
    }
    content.set(record.sha256, {
      sha1Base64: createHash('sha1').update(bytes).digest('base64'),
      dataBase64: bytes.length <= inlineMaxBytes ? bytes.toString('base64') : null,
    });
  }
  return content;
}

/**
 * The selected messages' files, decrypted and checked, to save beside the record entry. Refused
 * (nothing is written) when one is not stored here in full or fails its check: the entry lists
 * it, so a missing copy beside it would be missed.
 */
export function entryFiles(
  files: Files,
  messageIds: readonly string[],
): Array<{ name: string; contentType: string; bytes: Buffer }> {
  return messageIds.flatMap((id) => {
    const record = files.get(id);
    if (!record) return [];
    const unavailable = new MessengerError(
      'invalid_input',
      `${record.fileName} is not stored here in full (still downloading, or failed); wait for it or press Retry, then save again.`,
    );
    if (record.direction === 'incoming' && record.state !== 'ready') throw unavailable;
    const chunks = Array.from({ length: record.chunkCount }, (_, i) => files.chunk(id, i));
    if (chunks.some((c) => c === null)) throw unavailable;
    try {
      const bytes = decryptFile(record.fileKey, chunks as Buffer[], record.sha256, record.size);
      return [{ name: record.fileName, contentType: record.contentType, bytes }];
    } catch {
      throw unavailable;
    }
  });
}
