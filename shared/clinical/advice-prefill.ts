import { formatUkDateTime, ukTimeZone } from './uk-date-format.js';

/** A selected message, as the transcription panel has it. */
export interface QuotedMessage {
  readonly senderName: string;
  readonly senderRole: string;
  /** Milliseconds since the Unix epoch. */
  readonly sentAt: number;
  readonly text: string;
}

/**
 * Prefills the advice field by quoting the selected messages in time order, each attributed:
 *
 *   03-Mar-2025 09:14 Jane Doe (Receptionist) wrote:
 *     Mrs X is asking whether she can take ibuprofen with ...
 *
 * The clinician then edits or summarises it. Attribution is on its own line and the quoted text
 * indented, so a multi-line message cannot be mistaken for a new speaker.
 */
export function buildAdviceText(
  messages: readonly QuotedMessage[],
  options: { readonly timeZone?: string } = {},
): string {
  const timeZone = options.timeZone ?? ukTimeZone;
  return [...messages]
    .sort((a, b) => a.sentAt - b.sentAt)
    .map((m) => {
      const said = m.text
        .replace(/\r\n?/g, '\n')
        .trim()
        .split('\n')
        .map((line) => `  ${line.trimEnd()}`)
        .join('\n');
      const when = formatUkDateTime(m.sentAt, timeZone);
      return `${when} ${m.senderName.trim()} (${m.senderRole.trim()}) wrote:\n${said}`;
    })
    .join('\n');
}
