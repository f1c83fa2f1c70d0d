import { dateContext, plainDateIsReported } from './pid-date-context.js';
import { push, type PidMatcher } from './pid-matchers.js';

/**
 * Full dates (with a year) anywhere in the text. Labelled by their context (pid-date-context.ts):
 * after "DOB" / "born" or next to an age, "Date of birth"; after appointment or result words,
 * not reported; otherwise reported as "Date" only when old enough to be someone's birthday.
 * Dates without a year, day/month fractions ("2/52" = two weeks), ratios ("120/80") and times
 * have fewer than three parts and never match here; pid-dob-matchers.ts handles every form
 * written after a DOB keyword.
 */

export const monthNames =
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
/**
 * Just after a 2-digit-year numeric date: a unit or "mg" means a dose sequence ("5/5/10 mg"),
 * and just before, "Apgar" means scores ("Apgars 9-10-10").
 */
const doseAfter =
  /^[ \t]{0,2}(?:mg|mcg|micrograms?|ug|g|ml|mls|units?|iu|mmol|%|x|times|tabs?|tablets?)\b/i;
const scoresBefore = /(?:apgars?|scores?|gcs|taper(?:ing)?|reduc\w*|wean\w*)[\s:]{0,3}$/i;

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

export function monthNumber(name: string): number {
  return monthIndex[name.slice(0, 3).toLowerCase()]!;
}

export function isRealDate(day: number, month: number, year: number | null): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  if (year !== null && (year < 1880 || year > 2099)) return false;
  const leap = year === null || (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0));
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
  return day <= days;
}

/** A two-digit year read the way a GP would: no more than five years into the future. */
export function expandYear(year: string, currentYear: number): number {
  const digits = Number(year.replace("'", ''));
  if (year.replace("'", '').length === 4) return digits;
  const century = Math.floor(currentYear / 100) * 100;
  return digits > (currentYear % 100) + 5 ? century - 100 + digits : century + digits;
}

/** The date matcher for a given current year (plain dates are judged against it). */
export function createDateMatcher(currentYear: number): PidMatcher {
  return (text, out) => {
    const report = (start: number, matched: string, year: number, twoDigitYear: boolean) => {
      const context = dateContext(text, start, start + matched.length);
      if (context === 'birth') {
        push(out, 'date', start, matched, 'Date of birth');
        return;
      }
      if (context === 'event' || !plainDateIsReported(year, currentYear)) return;
      if (twoDigitYear) {
        // "5/5/10 mg", "Apgars 9-10-10", "taper 40/30/20/10": shorthand, not dates. A plain
        // 2-digit-year date is reported only written in full, "03/04/56".
        if (!/^\d\d\D\d\d\D/.test(matched)) return;
        if (doseAfter.test(text.slice(start + matched.length, start + matched.length + 12))) return;
        if (scoresBefore.test(text.slice(Math.max(0, start - 24), start))) return;
      }
      push(out, 'date', start, matched, 'Date');
    };
    for (const m of text.matchAll(numericDate)) {
      const [a, b] = [Number(m[1]), Number(m[3])];
      const year = expandYear(m[4]!, currentYear);
      const twoDigit = m[4]!.length === 2;
      // UK order first; US order (mm/dd) only with a four-digit year, where it is unambiguous
      // enough to be worth a warning.
      if (isRealDate(a, b, twoDigit ? null : year) || (!twoDigit && isRealDate(b, a, year))) {
        report(m.index, m[0], year, twoDigit);
      }
    }
    for (const m of text.matchAll(yearFirstDate)) {
      const year = Number(m[1]);
      if (isRealDate(Number(m[4]), Number(m[3]), year)) report(m.index, m[0], year, false);
    }
    for (const m of text.matchAll(dayMonthYear)) {
      const year = expandYear(m[3]!, currentYear);
      const twoDigit = m[3]!.startsWith("'");
      if (isRealDate(Number(m[1]), monthNumber(m[2]!), twoDigit ? null : year)) {
        report(m.index, m[0], year, false);
      }
    }
    for (const m of text.matchAll(monthDayYear)) {
      const year = Number(m[3]);
      if (isRealDate(Number(m[2]), monthNumber(m[1]!), year)) report(m.index, m[0], year, false);
    }
  };
}
