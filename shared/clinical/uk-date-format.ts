/**
 * Dates as UK clinical systems show them: 03-Mar-2025 09:14 (EMIS Web and SystmOne both use
 * dd-Mon-yyyy). Month names come from our own table, not from Intl, because ICU has changed
 * the en-GB short name for September ("Sep" -> "Sept") between versions.
 */

const monthShortNames = [
  'Jan',
  'Feb',
  'Mar',
  'Apr',
  'May',
  'Jun',
  'Jul',
  'Aug',
  'Sep',
  'Oct',
  'Nov',
  'Dec',
] as const;

/** Practice staff read times in UK local time (GMT/BST), whatever the PC's zone says. */
export const ukTimeZone = 'Europe/London';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** `03-Mar-2025 09:14` in `timeZone` (UK time by default). */
export function formatUkDateTime(epochMs: number, timeZone: string = ukTimeZone): string {
  const parts: Record<string, string> = {};
  for (const p of formatterFor(timeZone).formatToParts(new Date(epochMs))) parts[p.type] = p.value;
  const month = monthShortNames[Number(parts.month) - 1]!;
  const hour = (parts.hour ?? '0').padStart(2, '0');
  return `${(parts.day ?? '').padStart(2, '0')}-${month}-${parts.year} ${hour}:${parts.minute}`;
}

/** `1950-03-03` -> `03-Mar-1950`; a calendar date, so no time zone is involved. */
export function formatUkDate(isoDate: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  const month = m ? monthShortNames[Number(m[2]) - 1] : undefined;
  if (!m || !month) throw new RangeError('formatUkDate needs a date written yyyy-mm-dd');
  return `${m[3]}-${month}-${m[1]}`;
}

/** True when year-month-day is a real calendar date (no 31-Apr, 29-Feb only in leap years). */
export function isCalendarDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= days;
}

/**
 * A date typed the UK way, dd/mm/yyyy (1 or 2 digit day and month; "/", "." or "-" between), as
 * yyyy-mm-dd; null when it is not one or not a real date. The transcription panel uses a text
 * field with this rather than <input type=date>, whose order follows the browser's locale.
 */
export function parseUkDateInput(text: string): string | null {
  const m = /^(\d{1,2})([/.-])(\d{1,2})\2(\d{4})$/.exec(text.trim());
  if (!m) return null;
  const [day, month, year] = [Number(m[1]), Number(m[3]), Number(m[4])];
  if (year < 1000 || !isCalendarDate(year, month, day)) return null;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${year}-${pad(month)}-${pad(day)}`;
}

/** `1950-03-03` -> `03/03/1950`, for a dd/mm/yyyy field. */
export function formatUkDateInput(isoDate: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  if (!m) throw new RangeError('formatUkDateInput needs a date written yyyy-mm-dd');
  return `${m[3]}/${m[2]}/${m[1]}`;
}
