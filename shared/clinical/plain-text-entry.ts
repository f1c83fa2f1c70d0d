import { formatNhsNumber } from './nhs-number.js';
import { describeStaffMember, parseRecordEntry, type RecordEntryInput } from './record-entry.js';
import { formatUkDate, formatUkDateTime, ukTimeZone } from './uk-date-format.js';

export const sourceDescription = 'instant message, Practice Messenger';

export interface PlainTextEntryOptions {
  /** UK time by default; the clinical system shows local time. */
  readonly timeZone?: string;
  /** '\n' by default; the clipboard layer may want '\r\n' on Windows. */
  readonly lineEnding?: '\n' | '\r\n';
}

/**
 * A new free-text entry for EMIS Web or SystmOne, to be pasted by the clinician.
 *
 * Plain labelled lines, no markdown (it would be pasted literally), and ASCII only: free-text
 * fields and the letters, reports and GP2GP transfers built from them do not all survive
 * typographic quotes, dashes or emoji, so those are replaced and anything else non-ASCII becomes
 * "?". Every field of the record entry has its own line, so the clinician can check each one.
 * Throws MessengerError `invalid_input` if the entry is incomplete.
 */
export function formatPlainTextEntry(
  input: RecordEntryInput,
  options: PlainTextEntryOptions = {},
): string {
  const entry = parseRecordEntry(input);
  const tz = options.timeZone ?? ukTimeZone;
  const when = (ms: number) => formatUkDateTime(ms, tz);
  const indent = (block: string) =>
    block
      .split('\n')
      .map((line) => `  ${line}`.trimEnd())
      .join('\n');

  const lines: string[] = [
    'Advice given by instant message (transcribed)',
    `Patient NHS number: ${formatNhsNumber(entry.patient.nhsNumber)}`,
  ];
  if (entry.patient.name) lines.push(`Patient name: ${entry.patient.name}`);
  if (entry.patient.dateOfBirth) {
    lines.push(`Patient date of birth: ${formatUkDate(entry.patient.dateOfBirth)}`);
  }
  lines.push(
    `Advice given: ${when(entry.adviceGivenAt)}`,
    `Advice given by: ${describeStaffMember(entry.adviceGivenBy)}`,
    `Asked by: ${describeStaffMember(entry.askedBy)}`,
  );
  if (entry.adviceReceivedAt !== undefined) {
    lines.push(`Advice received: ${when(entry.adviceReceivedAt)}`);
  }
  lines.push('Advice:', indent(entry.advice));
  if (entry.actions.length > 0) {
    lines.push('Actions:', ...entry.actions.map((a) => indent(`- ${a}`)));
  } else {
    lines.push('Actions: none recorded');
  }
  lines.push(
    `Source: ${sourceDescription}; conversation ${entry.source.conversationId}; messages ${entry.source.messageIds.join(', ')}`,
    `Recorded: ${when(entry.recordedAt)}`,
    `Transcribed by: ${describeStaffMember(entry.transcribedBy)}`,
    entry.originalsDeletion.status === 'deleted'
      ? `Original messages: deleted ${when(entry.originalsDeletion.at)}`
      : `Original messages: to be deleted ${when(entry.originalsDeletion.at)}`,
  );
  return lines
    .map(toAsciiSafe)
    .join('\n')
    .replace(/\n/g, options.lineEnding ?? '\n');
}

const replacements: ReadonlyArray<readonly [RegExp, string]> = [
  [/[\u2018\u2019\u201a\u201b\u2032]/g, "'"],
  [/[\u201c\u201d\u201e\u201f\u2033]/g, '"'],
  [/[\u2010-\u2015\u2212]/g, '-'],
  [/\u2026/g, '...'],
  [/[\u2022\u2023\u25e6\u2043]/g, '*'],
  [/\u00a3/g, 'GBP '],
  [/\u20ac/g, 'EUR '],
  [/\u00b0/g, ' deg'],
  [/\u00b5/g, 'micro'],
  [/[\u00a0\u2000-\u200a\u202f\u205f\u3000\t]/g, ' '],
  [/[\u200b-\u200d\u2060\ufeff]/g, ''],
];

/** Printable ASCII and newlines only; see formatPlainTextEntry for why. */
export function toAsciiSafe(text: string): string {
  let s = text.replace(/\r\n?/g, '\n');
  for (const [pattern, replacement] of replacements) s = s.replace(pattern, replacement);
  // Accented letters keep their base letter (e -> e) rather than becoming "?".
  s = s.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
  // eslint-disable-next-line no-control-regex -- control characters are exactly what we strip
  s = s.replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, '');
  return s.replace(/[^\n\u0020-\u007e]/gu, '?');
}
