import { isValidNhsDigits, formatNhsNumber } from './nhs-number.js';
import { createPidDetector } from './pid-detector.js';
import { isCalendarDate } from './uk-date-format.js';

/**
 * The patient fields prefilled from the selected messages, to save typing and mistyping: the NHS
 * number (only a Modulus 11-valid one, found by the PID detector), and a name and date of birth
 * found in the same message. Nothing is guessed: two different valid NHS numbers in the selection
 * prefill none of them (`conflict`), a date counts as the date of birth only after "DOB", "d.o.b."
 * or "born", and a name only with a title (Mr, Mrs, Ms, Miss, Mx). The clinician checks every
 * prefilled field against the record before copying.
 */
export interface PatientPrefill {
  /** 3-3-4, e.g. "943 476 5919"; empty when none (or more than one) was found. */
  readonly nhsNumber: string;
  readonly name: string;
  /** yyyy-mm-dd, or empty. */
  readonly dateOfBirth: string;
  /** How many different valid NHS numbers the selection holds (above 1: nothing prefilled). */
  readonly nhsNumbersFound: number;
}

const detect = createPidDetector({ kinds: ['nhs-number', 'date'] });
const dobBefore = /(?:\bdob|\bd\.o\.b\.?|date of birth|\bborn(?: on)?)[\s:=-]{0,3}$/i;
const titledName = /\b(?:Mr|Mrs|Ms|Miss|Mx)\.?[ \t]+[A-Z][a-z'’-]+(?:[ \t]+[A-Z][a-z'’-]+){0,2}\b/u;
const months = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

export function prefillPatient(texts: readonly string[], now: number): PatientPrefill {
  const numbers = new Map<string, string[]>();
  for (const text of texts) {
    for (const finding of detect(text)) {
      if (finding.kind !== 'nhs-number') continue;
      const digits = finding.text.replace(/\D/g, '');
      if (!isValidNhsDigits(digits)) continue;
      numbers.set(digits, [...(numbers.get(digits) ?? []), text]);
    }
  }
  const empty = { nhsNumber: '', name: '', dateOfBirth: '', nhsNumbersFound: numbers.size };
  if (numbers.size !== 1) return empty;
  const [[digits, withNumber]] = [...numbers] as [[string, string[]]];
  let name = '';
  let dateOfBirth = '';
  for (const text of withNumber) {
    name ||= titledName.exec(text)?.[0].replace(/\s+/g, ' ') ?? '';
    for (const finding of detect(text)) {
      if (dateOfBirth || finding.kind !== 'date') continue;
      if (!dobBefore.test(text.slice(Math.max(0, finding.start - 20), finding.start))) continue;
      dateOfBirth = isoDateOf(finding.text, now) ?? '';
    }
  }
  return { ...empty, nhsNumber: formatNhsNumber(digits), name, dateOfBirth };
}

/** A date as written in a message ("3/4/56", "3rd April 1956", "1956-04-03") as yyyy-mm-dd. */
export function isoDateOf(written: string, now: number): string | null {
  const text = written.trim().toLowerCase();
  let day: number;
  let month: number;
  let year: number;
  let m = /^(\d{4})[/.-](\d{1,2})[/.-](\d{1,2})/.exec(text);
  if (m) {
    [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  } else if ((m = /^(\d{1,2})[/. -](\d{1,2})[/. -](\d{2}|\d{4})$/.exec(text))) {
    [day, month, year] = [Number(m[1]), Number(m[2]), Number(m[3])];
  } else if ((m = /^(\d{2})(\d{2})(\d{2}|\d{4})$/.exec(text))) {
    [day, month, year] = [Number(m[1]), Number(m[2]), Number(m[3])];
  } else {
    const monthAt = months.findIndex((name) => text.includes(name));
    const numbers = text.match(/'?\d+/g) ?? [];
    if (monthAt < 0 || numbers.length !== 2) return null;
    const [a, b] = numbers as [string, string];
    const yearText = a.length >= 3 || a.startsWith("'") ? a : b;
    const dayText = yearText === a ? b : a;
    [day, month, year] = [Number(dayText), monthAt + 1, Number(yearText.replace("'", ''))];
    if (yearText.replace("'", '').length === 2) year = pastCentury(year, now);
  }
  if (year < 100) year = pastCentury(year, now);
  if (!isCalendarDate(year, month, day)) return null;
  const iso = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  return Date.parse(`${iso}T00:00:00Z`) <= now ? iso : null;
}

/** A two-digit birth year is in the past: 56 is 1956, and 05 is 2005 (not 1905) in 2026. */
function pastCentury(twoDigits: number, now: number): number {
  const thisYear = new Date(now).getUTCFullYear();
  const candidate = Math.floor(thisYear / 100) * 100 + twoDigits;
  return candidate > thisYear ? candidate - 100 : candidate;
}
