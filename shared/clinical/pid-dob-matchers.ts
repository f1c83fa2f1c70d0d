import { dobKeywordSource } from './pid-date-context.js';
import { isRealDate, monthNames, monthNumber } from './pid-date-matchers.js';
import { push, type PidMatcher } from './pid-matchers.js';

/**
 * Whatever follows "DOB", "d.o.b.", "date of birth", "born" or "b." is a date of birth, in any
 * form people type: "03/04/56", "3.4.1956", "03 Apr 56", "3rd of April '56", "030456",
 * "03041956", "1956-04-03", "April 3rd 1956", "3/4" or "3rd April" without a year, and a year
 * alone after "born (in)" or "DOB". The date must still be a real one.
 */
const keyword = new RegExp(
  `${dobKeywordSource}(?:[ \\t:=,\\-\\u2013]{0,4}(?:is|was|of)?[ \\t:=,\\-\\u2013]{0,4})`,
  'gi',
);
const sep = "[ \\t/.\\-\\u2013,']{1,3}";
const ordinal = '(?:st|nd|rd|th)?';
/** Day first: "03/04/56", "3rd of April 1956", "03-Apr-56", "3/4". */
const dayFirst = new RegExp(
  `(\\d{1,2})${ordinal}(?:[ \\t]{1,2}of)?${sep}(?:${monthNames}\\.?|(\\d{1,2}))(?:${sep}(\\d{4}|\\d{2}))?(?![\\w%]|[/.:]\\d)`,
  'iy',
);
/** Month first: "April 3rd 1956", "Apr 3, 56". */
const monthFirst = new RegExp(
  `${monthNames}\\.?[ \\t]{1,3}(\\d{1,2})${ordinal}(?:,?[ \\t]{1,3}'?(\\d{4}|\\d{2}))?(?![\\w%]|[/.:]\\d)`,
  'iy',
);
/** Year first: "1956-04-03", "1956/4/3". */
const yearFirst = /((?:18|19|20)\d{2})[/.-](\d{1,2})[/.-](\d{1,2})(?![\w%]|[/.:]\d)/y;
/** Digits only: "030456", "03041956". */
const compact = /(\d{2})(\d{2})(\d{4}|\d{2})(?![\w%]|[/.:]\d)/y;
/** A year on its own: "born 1956", "DOB 1956". */
const yearOnly = /((?:18|19|20)\d{2})(?![\w%]|[/.:]\d)/y;

const anyYear = (year: string | undefined) =>
  year === undefined || year.length === 2 ? null : Number(year);

function dateAt(text: string, at: number): string | null {
  const tryAt = (re: RegExp) => {
    re.lastIndex = at;
    return re.exec(text);
  };
  let m = tryAt(yearFirst);
  if (m && isRealDate(Number(m[3]), Number(m[2]), Number(m[1]))) return m[0];
  m = tryAt(compact);
  if (m && isRealDate(Number(m[1]), Number(m[2]), anyYear(m[3]))) return m[0];
  m = tryAt(dayFirst);
  if (m) {
    const month = m[2] ? monthNumber(m[2]) : Number(m[3]);
    if (isRealDate(Number(m[1]), month, anyYear(m[4]))) return m[0];
  }
  m = tryAt(monthFirst);
  if (m && isRealDate(Number(m[2]), monthNumber(m[1]!), anyYear(m[3]))) return m[0];
  m = tryAt(yearOnly);
  if (m) return m[0];
  return null;
}

/** "born 3/7 ago", "born 2 weeks early": a duration, not a date. */
const durationAfter = /^[ \t]{0,2}(?:ago|early|late|days?|weeks?|months?|years?|hrs?|hours?)\b/i;

export const matchDatesOfBirth: PidMatcher = (text, out) => {
  for (const k of text.matchAll(keyword)) {
    const at = k.index + k[0].length;
    const date = dateAt(text, at);
    if (date === null) continue;
    if (durationAfter.test(text.slice(at + date.length, at + date.length + 10))) continue;
    push(out, 'date', at, date, 'Date of birth');
  }
};
