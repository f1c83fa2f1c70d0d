import { assertNever } from '../../../shared/errors.js';
import type { EntryTemplate } from '../../../shared/clinical/advice-prefill.js';
import {
  buildFhirCommunication,
  type FhirAttachmentContent,
} from '../../../shared/clinical/fhir-communication.js';
import {
  formatPlainTextEntry,
  type LineEnding,
} from '../../../shared/clinical/plain-text-entry.js';
import type { RecordEntry } from '../../../shared/clinical/record-entry.js';
import type { EntryFormat } from '../../../shared/ipc/clinical-schemas.js';

export interface RenderEntryOptions {
  readonly template: EntryTemplate;
  /** The stable FHIR id of this selection (communicationIdFor). */
  readonly communicationId: string;
  /** Policy `recordIdentifierBase`; null when the practice has not set one. */
  readonly identifierBase: string | null;
  /** The platform's by default: Windows clinical systems want CRLF. */
  readonly lineEnding?: LineEnding;
  /** For FHIR: the listed files' hash and inline bytes, by SHA-256 (fhirAttachmentContent). */
  readonly attachmentContent?: ReadonlyMap<string, FhirAttachmentContent>;
}

/** CRLF on Windows, where a pasted LF-only entry may run its lines together; LF elsewhere. */
export function platformLineEnding(platform: NodeJS.Platform = process.platform): LineEnding {
  return platform === 'win32' ? '\r\n' : '\n';
}

export function renderEntry(
  entry: RecordEntry,
  format: EntryFormat,
  options: RenderEntryOptions,
): string {
  switch (format) {
    case 'text':
      return formatPlainTextEntry(entry, {
        lineEnding: options.lineEnding ?? platformLineEnding(),
        template: options.template,
      });
    case 'fhir':
      return JSON.stringify(
        buildFhirCommunication(entry, {
          id: options.communicationId,
          identifierBase: options.identifierBase,
          ...(options.attachmentContent ? { attachmentContent: options.attachmentContent } : {}),
        }),
        null,
        2,
      );
    default:
      return assertNever(format, 'entry format');
  }
}
