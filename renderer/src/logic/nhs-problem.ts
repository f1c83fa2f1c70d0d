import { isValidNhsNumber } from '../../../shared/clinical/nhs-number.js';

/** Why the typed NHS number is not used yet; null when it is empty or valid. */
export function nhsProblem(text: string): string | null {
  const typed = text.trim();
  if (typed === '' || isValidNhsNumber(typed)) return null;
  return typed.replace(/\D/g, '').length < 10
    ? 'An NHS number has ten digits.'
    : 'Not a valid NHS number: the check digit does not match. Check it was keyed correctly.';
}
