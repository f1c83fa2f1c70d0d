import { defaultEntryTemplate, type EntryTemplate } from './advice-prefill.js';
import { emojiAsWords } from './emoji-words.js';
import { formatNhsNumber } from './nhs-number.js';
import {
  describeStaffMember,
  parseRecordEntry,
  type RecordAttachment,
  type RecordEntryInput,
} from './record-entry.js';
import { formatUkDate, formatUkDateTime, ukTimeZone } from './uk-date-format.js';

export const sourceDescription = 'instant message, Practice Messenger';

export type LineEnding = '\n' | '\r\n';

export interface PlainTextEntryOptions {
  /**
   * '\r\n' for Windows clinical systems, which may run LF-only lines together. No default here:
   * main decides from the platform it runs on (shared code does not know it).
   */
  readonly lineEnding: LineEnding;
  /** UK time by default; the clinical system shows local time. */
  readonly timeZone?: string;
  /** `compact` by default (see entryTemplates). */
  readonly template?: EntryTemplate;
  /** Emoji as words in brackets ("[thumbs up]", the default), or kept as they are. */
  readonly emoji?: 'words' | 'keep';
}

/**
 * A new free-text entry for EMIS Web or SystmOne, to be pasted by the clinician: plain labelled
 * lines, no markdown (it would be pasted literally). What people wrote is kept as written, in
 * Unicode: no character is ever replaced by "?". Emoji become words in brackets, since the
 * clinical systems' fonts may not show them; control and bidirectional-override characters,
 * which are invisible and could make the shown text differ from the stored one, are dropped.
 * Throws MessengerError `invalid_input` if the entry is incomplete.
 */
export function formatPlainTextEntry(
  input: RecordEntryInput,
  options: PlainTextEntryOptions,
): string {
  const entry = parseRecordEntry(input);
  const tz = options.timeZone ?? ukTimeZone;
  const full = (options.template ?? defaultEntryTemplate) === 'full';
  const when = (ms: number) => formatUkDateTime(ms, tz);
  const indent = (block: string) =>
    block
      .split('\n')
      .map((line) => (full ? `  ${line}` : line).trimEnd())
      .join('\n');

  const lines: string[] = [
    'Advice given by instant message (transcribed)',
    `Patient NHS number: ${formatNhsNumber(entry.patient.nhsNumber)}`,
  ];
  if (entry.patient.name) lines.push(`Patient name: ${entry.patient.name}`);
  if (entry.patient.dateOfBirth) {
    lines.push(`Patient date of birth: ${formatUkDate(entry.patient.dateOfBirth)}`);
  }
  if (entry.urgent) lines.push('Priority: urgent');
  lines.push(
    `Advice given: ${when(entry.adviceGivenAt)}`,
    `Advice given by: ${describeStaffMember(entry.adviceGivenBy)}`,
    `Asked by: ${describeStaffMember(entry.askedBy)}`,
  );
  if (full && entry.adviceReceivedAt !== undefined) {
    lines.push(`Advice received: ${when(entry.adviceReceivedAt)}`);
  }
  lines.push('Advice:', indent(entry.advice));
  if (entry.actions.length > 0) {
    lines.push('Actions:', ...entry.actions.map((a) => indent(`- ${a}`)));
  } else if (full) {
    lines.push('Actions: none recorded');
  }
  if (entry.attachments.length > 0) {
    lines.push(
      'Attachments:',
      ...entry.attachments.map((a) => indent(`- ${describeAttachment(a)}`)),
    );
  }
  const deletion =
    entry.originalsDeletion.status === 'deleted'
      ? `deleted ${when(entry.originalsDeletion.at)}`
      : `to be deleted ${when(entry.originalsDeletion.at)}`;
  if (full) {
    lines.push(
      `Source: ${sourceDescription}; conversation ${entry.source.conversationId}; messages ${entry.source.messageIds.join(', ')}`,
      `Recorded: ${when(entry.recordedAt)}`,
      `Transcribed by: ${describeStaffMember(entry.transcribedBy)}`,
      `Original messages: ${deletion}`,
    );
  } else {
    lines.push(
      `Source: ${sourceDescription}`,
      `Transcribed by: ${describeStaffMember(entry.transcribedBy)}, ${when(entry.recordedAt)}`,
      `Original messages: ${deletion}`,
    );
  }
  const emoji = options.emoji ?? 'words';
  return lines
    .map((line) => recordSafe(line, emoji))
    .join('\n')
    .replace(/\n/g, options.lineEnding);
}

/** "results.png (image/png, 12.1 KB, SHA-256 9f86d0…)": the full digest, to match the file. */
export function describeAttachment(file: RecordAttachment): string {
  return `${file.name} (${file.contentType}, ${formatFileSize(file.size)}, SHA-256 ${file.sha256})`;
}

/** Bytes under 1 KB, else KB or MB (of 1,024) to one decimal place. */
export function formatFileSize(bytes: number): string {
  if (bytes < 1024) return bytes === 1 ? '1 byte' : `${bytes} bytes`;
  if (bytes < 1_048_576) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1_048_576).toFixed(1)} MB`;
}

/**
 * Text as it can go into a record: NFC, LF line breaks, tabs as spaces, no C0/C1 control
 * characters, no bidirectional overrides or isolates, emoji as words unless `emoji` is 'keep'.
 * Every other character is kept.
 */
export function recordSafe(text: string, emoji: 'words' | 'keep' = 'words'): string {
  let s = text.replace(/\r\n?/g, '\n').replace(/\t/g, ' ').normalize('NFC');
  // eslint-disable-next-line no-control-regex -- control characters are exactly what we strip
  s = s.replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '');
  return emoji === 'words' ? emojiAsWords(s) : s;
}
