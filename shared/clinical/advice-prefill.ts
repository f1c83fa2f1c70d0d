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
 * How the entry quotes the conversation. `compact` (the default): one line per message,
 * `14:02 Dr A Patel (GP): text`, and only the header lines that matter in the record. `full`: each
 * message under a dated "wrote:" line, and every audit detail (conversation and message ids,
 * transcriber, deletion) in the entry itself.
 */
export const entryTemplates = ['compact', 'full'] as const;
export type EntryTemplate = (typeof entryTemplates)[number];
export const defaultEntryTemplate: EntryTemplate = 'compact';

export interface AdviceTextOptions {
  readonly timeZone?: string;
  readonly template?: EntryTemplate;
}

/**
 * Prefills the advice field by quoting the selected messages in time order, each attributed.
 *
 * compact:  14:02 Jane Doe (Reception): Mrs X is asking whether she can take ibuprofen
 *           14:08 Dr A Patel (GP): Yes, with food.
 *             Review in 2 weeks.
 * full:     03-Mar-2025 14:02 Jane Doe (Reception) wrote:
 *             Mrs X is asking whether ...
 *
 * Continuation lines are indented, so a multi-line message cannot be mistaken for a new speaker.
 * The compact form gives the time alone when every message is from one (UK) day, the header
 * carrying the date; otherwise each line is dated too.
 */
export function buildAdviceText(
  messages: readonly QuotedMessage[],
  options: AdviceTextOptions = {},
): string {
  const timeZone = options.timeZone ?? ukTimeZone;
  const sorted = [...messages].sort((a, b) => a.sentAt - b.sentAt);
  const stamps = sorted.map((m) => formatUkDateTime(m.sentAt, timeZone));
  const oneDay = new Set(stamps.map((s) => s.slice(0, 11))).size <= 1;
  return sorted
    .map((m, index) => {
      const lines = m.text.replace(/\r\n?/g, '\n').trim().split('\n');
      const who = `${m.senderName.trim()} (${m.senderRole.trim()})`;
      const when = stamps[index]!;
      if ((options.template ?? defaultEntryTemplate) === 'full') {
        return `${when} ${who} wrote:\n${lines.map((line) => `  ${line.trimEnd()}`).join('\n')}`;
      }
      const [first = '', ...rest] = lines;
      return [
        `${oneDay ? when.slice(12) : when} ${who}: ${first.trimEnd()}`,
        ...rest.map((line) => `  ${line.trimEnd()}`.trimEnd()),
      ].join('\n');
    })
    .join('\n');
}

/**
 * The role edited in the panel, applied to every line that names the person: "Dr A Patel
 * (Clinician)" becomes "Dr A Patel (GP)" in the quoted advice too, so one entry never gives one
 * person two roles.
 */
export function replaceRole(text: string, name: string, fromRole: string, toRole: string): string {
  const who = name.trim();
  if (who === '' || fromRole === toRole) return text;
  // An emptied role field still names the person "Name ()", so typing a new one finds it.
  return text.split(`${who} (${fromRole})`).join(`${who} (${toRole})`);
}
