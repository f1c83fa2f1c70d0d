import type { PidFinding } from './pid-finding.js';
import { push, type PidMatcher } from './pid-matchers.js';

/**
 * Dates, all reported as a possible date of birth: in a message about a patient, a full date
 * with a year is the likeliest identifier, and we cannot tell a DOB from an appointment date.
 * Dates without a year ("3rd March", "12/03") and day/month fractions used in clinical
 * shorthand ("2/52" = two weeks) are not flagged. Times (10:30, 14.45) have only two parts and
 * never match.
 */

const monthNames =
  '(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)';

/** 03/03/1950, 3.3.50, 03-03-1950: the same separator twice. */
const numericDate = /(?<![\w/.]|\d[-:])(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?![\w%]|[/.-]\d)/g;
/** 1950-03-03 (ISO, also followed by a time "T10:00"), 1950/03/03. */
const yearFirstDate =
  /(?<![\w/.-])(\d{4})([/.-])(\d{1,2})\2(\d{1,2})(?![A-SU-Za-su-z0-9_%]|[/.-]\d)/g;
/**
 * 3rd March 1950, 3 Mar 1950, 03-Mar-1950 (EMIS style), 3rd of March, 1950, 3 Mar '50. Two-digit
 * years need the apostrophe here, so that "on 5 June 10 patients" is not a date.
 */
const dayMonthYear = new RegExp(
  `(?<![\\w/.])(\\d{1,2})(?:st|nd|rd|th)?(?:[ \\t]{1,3}of)?[ \\t-]{1,3}${monthNames}\\.?,?[ \\t-]{1,3}(\\d{4}|'\\d{2})(?![\\w%]|[/.:]\\d)`,
  'gi',
);
/** March 3rd, 1950 / Mar 3 1950. */
const monthDayYear = new RegExp(
  `(?<![\\w])${monthNames}\\.?[ \\t]{1,3}(\\d{1,2})(?:st|nd|rd|th)?,?[ \\t]{1,3}(\\d{4})(?![\\w%]|[/.:]\\d)`,
  'gi',
);

const monthIndex: Readonly<Record<string, number>> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};

/** A keyword just before the date makes it a date of birth rather than a possible one. */
const dobKeywordBefore = /(?:\bdob|\bd\.o\.b\.?|date of birth|\bborn(?: on)?|\bb\.)[\s:=-]{0,3}$/i;

function isRealDate(day: number, month: number, year: number | null): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  if (year !== null && (year < 1880 || year > 2099)) return false;
  const leap = year === null || (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0));
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
  return day <= days;
}

/** A two-digit year could be any century: only day and month are checked (29/02 allowed). */
function fullYear(year: string): number | null {
  const digits = year.replace("'", '');
  return digits.length === 4 ? Number(digits) : null;
}

function report(text: string, out: PidFinding[], start: number, matched: string): void {
  const before = text.slice(Math.max(0, start - 20), start);
  const label = dobKeywordBefore.test(before) ? 'Date of birth' : 'Possible date of birth';
  push(out, 'date', start, matched, label);
}

export const matchDates: PidMatcher = (text, out) => {
  for (const m of text.matchAll(numericDate)) {
    const [a, b, year] = [Number(m[1]), Number(m[3]), fullYear(m[4]!)];
    // UK order first; US order (mm/dd) only with a four-digit year, where it is unambiguous
    // enough to be worth a warning.
    if (isRealDate(a, b, year) || (year !== null && isRealDate(b, a, year))) {
      report(text, out, m.index, m[0]);
    }
  }
  for (const m of text.matchAll(yearFirstDate)) {
    if (isRealDate(Number(m[4]), Number(m[3]), Number(m[1]))) report(text, out, m.index, m[0]);
  }
  for (const m of text.matchAll(dayMonthYear)) {
    const month = monthIndex[m[2]!.slice(0, 3).toLowerCase()]!;
    if (isRealDate(Number(m[1]), month, fullYear(m[3]!))) report(text, out, m.index, m[0]);
  }
  for (const m of text.matchAll(monthDayYear)) {
    const month = monthIndex[m[1]!.slice(0, 3).toLowerCase()]!;
    if (isRealDate(Number(m[2]), month, Number(m[3]))) report(text, out, m.index, m[0]);
  }
};
