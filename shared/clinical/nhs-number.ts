import { MessengerError } from '../errors.js';

/**
 * NHS numbers: ten digits, conventionally written 3-3-4, the tenth a Modulus 11 check digit.
 *
 * Accepted spellings (after trimming): `9434765919`, `943 476 5919`, `943-476-5919`. Exactly one
 * space or one hyphen between groups, the same separator both times: anything looser
 * (`94 347 65919`, `943  476 5919`, `943 476-5919`) is rejected here because this function
 * guards what is written into a clinical record, where a badly keyed number should be re-keyed,
 * not guessed at. The PID detector is deliberately looser about separators (it only warns).
 */
const acceptedSpelling = /^(\d{3})([ -]?)(\d{3})\2(\d{4})$/;

/** Weights for digits 1-9, per the NHS Data Dictionary. */
const weights = [10, 9, 8, 7, 6, 5, 4, 3, 2] as const;

/**
 * The check digit for the first nine digits, or null when no check digit exists (remainder 10:
 * such numbers are never issued). `firstNine` must be exactly nine ASCII digits.
 */
export function nhsNumberCheckDigit(firstNine: string): number | null {
  if (!/^\d{9}$/.test(firstNine)) {
    throw new MessengerError('invalid_input', 'nhsNumberCheckDigit needs exactly nine digits');
  }
  let sum = 0;
  for (let i = 0; i < 9; i += 1) sum += Number(firstNine.charCodeAt(i) - 48) * weights[i]!;
  const r = 11 - (sum % 11);
  if (r === 11) return 0;
  if (r === 10) return null;
  return r;
}

/** True when ten bare digits pass Modulus 11 and are not one digit repeated. */
export function isValidNhsDigits(digits: string): boolean {
  if (!/^\d{10}$/.test(digits)) return false;
  // 000 000 0000 passes the check arithmetic (sum 0 -> check digit 0) but, like every
  // one-digit-repeated number, is never issued; 999 999 9999 likewise.
  if (/^(\d)\1{9}$/.test(digits)) return false;
  return nhsNumberCheckDigit(digits.slice(0, 9)) === Number(digits[9]);
}

/**
 * The ten bare digits of a valid NHS number, or null if the input is badly formatted or fails
 * the check. Use this to store or compare NHS numbers; use {@link formatNhsNumber} to show one.
 */
export function normaliseNhsNumber(input: string): string | null {
  const match = acceptedSpelling.exec(input.trim());
  if (!match) return null;
  const digits = `${match[1]}${match[3]}${match[4]}`;
  return isValidNhsDigits(digits) ? digits : null;
}

export function isValidNhsNumber(input: string): boolean {
  return normaliseNhsNumber(input) !== null;
}

/**
 * `943 476 5919` from any accepted spelling.
 *
 * Throws (MessengerError `invalid_input`) rather than returning null: every caller formats a
 * number it has already validated (a record entry, a FHIR resource), so an invalid one here is a
 * programming error that must not silently print "null" into a patient's record.
 */
export function formatNhsNumber(input: string): string {
  const digits = normaliseNhsNumber(input);
  if (digits === null) {
    throw new MessengerError(
      'invalid_input',
      'Not a valid NHS number: it must be 10 digits (3-3-4) with a correct check digit',
    );
  }
  return `${digits.slice(0, 3)} ${digits.slice(3, 6)} ${digits.slice(6)}`;
}
