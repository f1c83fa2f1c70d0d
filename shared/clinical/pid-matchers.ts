import { isValidNhsDigits } from './nhs-number.js';
import type { PidFinding } from './pid-finding.js';

/**
 * Built-in PID matchers except dates (see pid-date-matchers.ts).
 *
 * Every regex here runs on each keystroke over the whole message, so each one is written to be
 * linear in the text length: a lookbehind makes an attempt start only at the beginning of a
 * token (so a long run of digits or letters is not rescanned from every offset), quantifiers are
 * bounded, and no quantified group contains another variable quantifier.
 */

export type PidMatcher = (text: string, out: PidFinding[]) => void;

/**
 * NHS numbers however they are spaced: a run of digit groups joined by spaces (one to three),
 * dots or dashes ("943 476 5919", "943.476.5919", "943  476  5919", "943-476-5919"), of which
 * any stretch of whole groups holding exactly ten digits in groups of three or more ("3-3-4",
 * "4-3-3", "3-7", ten straight) is a candidate. Only candidates passing Modulus 11 are reported, so the looser
 * spacing costs no false alarms beyond the 1 in 11 a random ten digits would pass anyway, and
 * the grouping rule keeps runs of scores, doses and dates ("12 03 2024 10 30") out.
 */
const digitRun = /\d+(?:(?:[ \t\u00a0]{1,3}|[ \t\u00a0]?[.\-\u2013\u2014][ \t\u00a0]?)\d+)*/g;

interface DigitGroup {
  readonly start: number;
  readonly end: number;
  /** The separator before this group is whitespace only, so a number may start here. */
  readonly looseBefore: boolean;
}

/** The digit groups of a run, by a plain scan (no match objects: runs can be long). */
function digitGroups(text: string, from: number, to: number): DigitGroup[] {
  const groups: DigitGroup[] = [];
  let looseBefore = true;
  let i = from;
  while (i < to) {
    const start = i;
    while (i < to && isDigit(text.charCodeAt(i))) i += 1;
    groups.push({ start, end: i, looseBefore });
    looseBefore = true;
    while (i < to && !isDigit(text.charCodeAt(i))) {
      if (!/\s/.test(text[i]!)) looseBefore = false;
      i += 1;
    }
  }
  return groups;
}

const isDigit = (code: number) => code >= 48 && code <= 57;

export const matchNhsNumbers: PidMatcher = (text, out) => {
  for (const run of text.matchAll(digitRun)) {
    if (run[0].length < 10) continue;
    const groups = digitGroups(text, run.index, run.index + run[0].length);
    const previousEnd = groups[groups.length - 1]!.end;
    // A run glued to a currency or sign ("£12", "+44"), a unit ("5mg"), a fraction ("3/4") or a
    // decimal point is not an NHS number at that end: drop the glued group, and everything
    // punctuation-joined to it. Letters before are allowed ("NHS9434765919").
    const before = text[run.index - 1] ?? ' ';
    const after = text[previousEnd] ?? ' ';
    const afterNext = text[previousEnd + 1] ?? ' ';
    let first = 0;
    let last = groups.length - 1;
    if (/[_£$€+/]/.test(before) || (/[.,]/.test(before) && /\d/.test(text[run.index - 2] ?? ''))) {
      first = 1;
      while (first <= last && !groups[first]!.looseBefore) first += 1;
    }
    if (/[\p{L}_%]/u.test(after) || (/[,/]/.test(after) && /\d/.test(afterNext))) {
      while (last >= first && !groups[last]!.looseBefore) last -= 1;
      last -= 1;
    }
    for (let i = first; i <= last; i += 1) {
      if (i > first && !groups[i]!.looseBefore) continue;
      let digits = '';
      for (let j = i; j <= last && digits.length < 10; j += 1) {
        const g = groups[j]!;
        // Groups of one or two digits are scores, doses and dates, not parts of an NHS number.
        if (g.end - g.start < 3) break;
        digits += text.slice(g.start, g.end);
        const endsHere = j === last || groups[j + 1]!.looseBefore;
        if (digits.length === 10 && endsHere) {
          if (isValidNhsDigits(digits)) {
            push(
              out,
              'nhs-number',
              groups[i]!.start,
              text.slice(groups[i]!.start, g.end),
              'Valid NHS number',
            );
          }
        }
      }
    }
  }
};

/**
 * UK numbers: national (0...), international (+44 / 0044, optionally "(0)"), with spaces,
 * hyphens or brackets around the area code. The digit count and prefix are checked afterwards.
 */
const phoneShaped =
  /(?<![\w+£$€.])(?:(?:\+|00)44[ -]?(?:\(0\)[ -]?)?|\(0|0)[1237](?:[ -]?\)?[ -]?\d){8,9}(?![\w%]|[.,]\d)/g;

export const matchPhoneNumbers: PidMatcher = (text, out) => {
  for (const m of text.matchAll(phoneShaped)) {
    const raw = m[0];
    const opens = raw.includes('(') ? raw.split('(').length - 1 : 0;
    const closes = raw.includes(')') ? raw.split(')').length - 1 : 0;
    if (opens !== closes) continue;
    let digits = raw.replace(/\D/g, '');
    if (raw.startsWith('+') || raw.startsWith('00')) {
      digits = digits.slice(raw.startsWith('+') ? 2 : 4);
      if (raw.includes('(0)')) digits = digits.slice(1);
      digits = `0${digits}`;
    }
    if (/^07\d{9}$/.test(digits)) push(out, 'phone-number', m.index, raw, 'UK mobile number');
    // 02 and 03 numbers are all 11 digits; a few 01 areas still have 10-digit numbers.
    else if (/^01\d{8,9}$|^0[23]\d{9}$/.test(digits)) {
      push(out, 'phone-number', m.index, raw, 'UK landline number');
    }
  }
};

/**
 * National Insurance numbers (HMRC rules): first letter not D, F, I, Q, U or V; second not
 * D, F, I, O, Q, U or V; suffix A-D. Between the parts: nothing, spaces, a dash or a dot
 * ("AB 12 34 56 C", "AB-12-34-56-C", "AB.123456.C").
 */
const niSep = '(?:[ \\t\\u00a0]{1,3}|[ \\t\\u00a0]?[-.\\u2013][ \\t\\u00a0]?)?';
const niShaped = new RegExp(
  `(?<![A-Za-z0-9])([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z])${niSep}\\d{2}${niSep}\\d{2}${niSep}\\d{2}${niSep}[A-D](?![A-Za-z0-9])`,
  'gi',
);
/**
 * After the words "NI" / "NINO" / "National Insurance", any two letters and six digits, with or
 * without the suffix: HMRC's own example prefix (QQ) and a forgotten suffix still identify.
 */
const niAfterKeyword = new RegExp(
  `(?<![A-Za-z])(?:NI|N\\.I\\.?|NINO|national[ \\t]insurance)(?:[ \\t]{0,2}(?:number|num|no)\\.?)?(?:[ \\t]{1,3}is[ \\t]{1,3}|[ \\t]{0,3}[:#=\\-\\u2013]?[ \\t]{0,3})([A-Z]{2}${niSep}\\d{2}${niSep}\\d{2}${niSep}\\d{2}(?:${niSep}[A-D])?)(?![A-Za-z0-9])`,
  'gi',
);
const unallocatedNiPrefixes = new Set(['BG', 'GB', 'KN', 'NK', 'NT', 'TN', 'ZZ']);

export const matchNiNumbers: PidMatcher = (text, out) => {
  for (const m of text.matchAll(niShaped)) {
    if (unallocatedNiPrefixes.has(m[1]!.toUpperCase())) continue;
    push(out, 'ni-number', m.index, m[0], 'National Insurance number');
  }
  for (const m of text.matchAll(niAfterKeyword)) {
    const number = m[1]!;
    push(
      out,
      'ni-number',
      m.index + m[0].length - number.length,
      number,
      'National Insurance number',
    );
  }
};

/**
 * Pragmatic, not RFC 5322: what people actually type. The lookbehind stops a long local part
 * with no "@" from being rescanned from every offset.
 */
const emailShaped =
  /(?<![\w.+%'-])[\w.+%'-]{1,64}@(?:[A-Za-z0-9-]{1,63}\.){1,8}[A-Za-z]{2,63}(?![\w-]|\.[A-Za-z0-9])/g;

export const matchEmails: PidMatcher = (text, out) => {
  for (const m of text.matchAll(emailShaped)) push(out, 'email', m.index, m[0], 'Email address');
};

/**
 * UK postcodes, case-insensitive, with or without the space, outward codes restricted to the
 * letters Royal Mail uses in each position, plus GIR 0AA.
 */
const postcodeShaped =
  /(?<![A-Za-z0-9])(?:GIR ?0AA|[A-PR-UWYZ](?:\d[A-HJKPSTUW\d]?|[A-HK-Y]\d[ABEHMNPRV-Y\d]?) ?\d[ABD-HJLNP-UW-Z]{2})(?![A-Za-z0-9])/gi;
/**
 * Lower-case inward codes that are really ordinals or clinical abbreviations ("B1 2nd floor",
 * "e2 4hr", "x2 2wks"): skipped unless typed in capitals, as a real postcode usually is.
 */
const wordLikeInward = /^\d(?:st|nd|rd|th|hr|hs|wk|yr|bd|dy|ug|lt|gt|tt)$/i;

export const matchPostcodes: PidMatcher = (text, out) => {
  for (const m of text.matchAll(postcodeShaped)) {
    const inward = m[0].slice(-3);
    if (wordLikeInward.test(inward) && inward !== inward.toUpperCase()) continue;
    push(out, 'postcode', m.index, m[0], 'UK postcode');
  }
};

export function push(
  out: PidFinding[],
  kind: PidFinding['kind'],
  start: number,
  text: string,
  label: string,
  severity: PidFinding['severity'] = 'identifier',
): void {
  out.push({ kind, severity, start, end: start + text.length, text, label });
}
