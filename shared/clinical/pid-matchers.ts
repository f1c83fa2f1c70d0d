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
 * 3-3-4 digits with an optional space or hyphen between groups (looser than isValidNhsNumber:
 * this only warns). Not preceded or followed by more digits, letters, a currency sign or a
 * decimal point, so a 10-digit run inside a longer number or an amount is not split out.
 */
const nhsShaped = /(?<![\w£$€.+/])\d{3}[ -]?\d{3}[ -]?\d{4}(?![\w%]|[.,/]\d)/g;

export const matchNhsNumbers: PidMatcher = (text, out) => {
  for (const m of text.matchAll(nhsShaped)) {
    // A 10-digit number with a wrong check digit is not flagged as an NHS number: it identifies
    // no one, and flagging every order or reference number would teach users to click past the
    // warning. If it is phone-shaped (leading 0) the phone matcher still reports it.
    if (!isValidNhsDigits(m[0].replace(/\D/g, ''))) continue;
    push(out, 'nhs-number', m.index, m[0], 'Valid NHS number');
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
 * D, F, I, O, Q, U or V; suffix A-D; the digits optionally in spaced pairs.
 */
const niShaped =
  /(?<![A-Za-z0-9])([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]) ?\d{2} ?\d{2} ?\d{2} ?[A-D](?![A-Za-z0-9])/gi;
const unallocatedNiPrefixes = new Set(['BG', 'GB', 'KN', 'NK', 'NT', 'TN', 'ZZ']);

export const matchNiNumbers: PidMatcher = (text, out) => {
  for (const m of text.matchAll(niShaped)) {
    if (unallocatedNiPrefixes.has(m[1]!.toUpperCase())) continue;
    push(out, 'ni-number', m.index, m[0], 'National Insurance number');
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
 * "e2 4hr"): skipped unless typed in capitals, as a real postcode usually is.
 */
const wordLikeInward = /^\d(?:st|nd|rd|th|hr|wk|yr|bd)$/i;

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
): void {
  out.push({ kind, start, end: start + text.length, text, label });
}
