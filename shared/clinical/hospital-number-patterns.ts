import { MessengerError } from '../errors.js';
import type { PidFinding } from './pid-finding.js';
import { push } from './pid-matchers.js';

/**
 * Hospital numbers: whatever follows a keyword ("MRN", "Hosp no", "hospital number", "hosp. no.",
 * "unit number", "CRN", "case no", "PAS no", "patient ID", "trust number"). Trust formats vary
 * too much to recognise bare, so nothing is flagged without a keyword; after one, within a few
 * words ("Hosp no for Mrs P is RX1234567"), the first token of six or more letters and digits
 * that holds a digit is reported (doses such as "1000mcg" excepted), and the practice's own
 * formats (policy `hospitalNumberPatterns`, regex sources such as "[A-Z]{3}\\d{7}") are tried
 * first at every token there.
 *
 * Patterns come from an administrator, not from the typist, but a single pathological one would
 * freeze the compose box on every keystroke, so:
 *  - they are compiled once, with the same flags the policy loader validates them with
 *    ({@link hospitalNumberPatternFlags}), and a syntax error is reported with the position;
 *  - patterns with a repeated group that itself contains a variable quantifier or an
 *    alternation ("(a+)+", "(a|ab)*": the classic exponential backtracking shapes) and
 *    backreferences are refused;
 *  - each pattern only ever sees the 64 characters after a keyword, so even a merely polynomial
 *    pattern has bounded cost per keyword.
 */

export interface CompiledHospitalNumberPatterns {
  readonly patterns: readonly RegExp[];
}

const maxPatternLength = 200;
const maxPatterns = 20;
const windowLength = 64;

/**
 * Sticky (anchored where tried), case-insensitive (typists do not use capitals) and Unicode
 * (so `\\p{...}` works): the policy loader validates patterns with exactly these flags.
 */
export const hospitalNumberPatternFlags = 'iuy';

const keyword =
  /(?<![A-Za-z0-9])(?:MRN|M\.R\.N\.?|C\.?R\.?N\.?|hosp(?:ital)?\.?[ \t]{0,2}(?:number|num|no|id|ref(?:erence)?|#)\.?|unit[ \t]{0,2}(?:number|num|no)\.?|case[ \t]{0,2}(?:number|no)\.?|PAS[ \t]{0,2}(?:number|no|id)\.?|(?:patient|pt)[ \t]{0,2}(?:id|number)|trust[ \t]{0,2}(?:number|no|id)\.?)(?![A-Za-z])[ \t]{0,3}(?:is[ \t]{1,3}|[:#=\-\u2013][ \t]{0,3})?/gi;
/** How far after a keyword the number may be: a few words, never past the end of a sentence. */
const reach = 40;
/** Token starts in the reach: letters and digits after a space or the keyword itself. */
const tokenStart = /(?<![\p{L}\p{N}])[\p{L}\p{N}]/gu;
/** A built-in hospital number: 6 to 15 letters and digits with a digit, or digits in groups. */
const builtInNumber =
  /(?=[A-Za-z]*\d)[A-Za-z0-9]{6,15}(?![A-Za-z0-9])|\d{2,}(?:[ -]\d{2,}){1,3}(?![A-Za-z0-9])/y;
const doseLike = /^\d+(?:mg|mcg|ug|ml|mls|g|kg|units?|iu|mmol|nmol|hrs?|mins?|wks?|days?)$/i;

function invalid(index: number, reason: string): MessengerError {
  return new MessengerError(
    'invalid_input',
    `Hospital number pattern ${index + 1} in the practice policy ${reason}`,
    { patternIndex: index },
  );
}

/** Why a pattern could backtrack catastrophically, or null if it looks safe. */
export function catastrophicShape(source: string): string | null {
  if (/\\[1-9]|\\k</.test(source)) return 'uses a backreference';
  interface Frame {
    variable: boolean;
    alternation: boolean;
  }
  const stack: Frame[] = [{ variable: false, alternation: false }];
  let i = 0;
  // Reads a quantifier at `at`; returns [length, repeats more than once, variable count].
  const quantifierAt = (at: number): [number, boolean, boolean] | null => {
    const c = source[at];
    let len: number;
    let repeats: boolean;
    let variable: boolean;
    if (c === '*' || c === '+') [len, repeats, variable] = [1, true, true];
    else if (c === '?') [len, repeats, variable] = [1, false, true];
    else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(at));
      if (!m) return null;
      const min = Number(m[1]);
      const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
      [len, repeats, variable] = [m[0].length, max > 1, max !== min];
    } else return null;
    if (source[at + len] === '?') len += 1; // lazy: same backtracking shape
    return [len, repeats, variable];
  };
  while (i < source.length) {
    const c = source[i]!;
    const top = stack[stack.length - 1]!;
    if (c === '\\') {
      i += 2;
    } else if (c === '[') {
      i += 1;
      while (i < source.length && source[i] !== ']') i += source[i] === '\\' ? 2 : 1;
      i += 1;
    } else if (c === '(') {
      stack.push({ variable: false, alternation: false });
      i += 1;
      if (source[i] === '?') i += source[i + 1] === '<' && /[=!]/.test(source[i + 2] ?? '') ? 3 : 2;
    } else if (c === ')') {
      const group = stack.pop();
      if (!group || stack.length === 0) return null; // unbalanced: let RegExp report it
      const q = quantifierAt(i + 1);
      if (q && q[1] && (group.variable || group.alternation)) {
        return 'repeats a group that contains a variable quantifier or alternative (nested quantifier)';
      }
      const parent = stack[stack.length - 1]!;
      parent.variable ||= group.variable || (q !== null && q[2]);
      i += 1 + (q ? q[0] : 0);
    } else if (c === '|') {
      top.alternation = true;
      i += 1;
    } else {
      const q = quantifierAt(i);
      if (q) {
        top.variable ||= q[2];
        i += q[0];
      } else i += 1;
    }
  }
  return null;
}

export function compileHospitalNumberPatterns(
  sources: readonly string[],
): CompiledHospitalNumberPatterns {
  if (sources.length > maxPatterns) {
    throw new MessengerError(
      'invalid_input',
      `The practice policy lists ${sources.length} hospital number patterns; at most ${maxPatterns} are allowed`,
    );
  }
  const patterns = sources.map((source, index) => {
    if (typeof source !== 'string' || source.trim() === '') throw invalid(index, 'is empty');
    if (source.length > maxPatternLength) {
      throw invalid(index, `is longer than ${maxPatternLength} characters`);
    }
    let re: RegExp;
    try {
      re = new RegExp(source, hospitalNumberPatternFlags);
    } catch (e) {
      throw invalid(index, `is not a valid regular expression: ${(e as Error).message}`);
    }
    const shape = catastrophicShape(source);
    if (shape) throw invalid(index, `is refused because it ${shape}`);
    re.lastIndex = 0;
    if (re.test('')) throw invalid(index, 'matches empty text');
    return re;
  });
  return { patterns };
}

export function matchHospitalNumbers(
  text: string,
  compiled: CompiledHospitalNumberPatterns,
  out: PidFinding[],
): void {
  for (const k of text.matchAll(keyword)) {
    const from = k.index + k[0].length;
    let window = text.slice(from, from + Math.max(reach, windowLength));
    // Never past the end of the sentence or line: the next sentence is about something else.
    const stop = /[\n;]|[.!?](?:\s|$)/.exec(window);
    if (stop) window = window.slice(0, stop.index);
    const found = findAfterKeyword(window, compiled);
    if (found) push(out, 'hospital-number', from + found.at, found.text, found.label);
  }
}

function findAfterKeyword(
  window: string,
  compiled: CompiledHospitalNumberPatterns,
): { at: number; text: string; label: string } | null {
  for (const t of window.matchAll(tokenStart)) {
    for (const re of compiled.patterns) {
      re.lastIndex = t.index;
      const m = re.exec(window);
      if (!m || m[0].length === 0) continue;
      // A pattern matching only the start of a longer token ("1234567" of "12345678") is not
      // a hospital number.
      if (/[\p{L}\p{N}]/u.test(window[t.index + m[0].length] ?? '')) continue;
      return { at: t.index, text: m[0], label: 'Hospital number (practice policy)' };
    }
  }
  for (const t of window.matchAll(tokenStart)) {
    if (t.index >= reach) break;
    builtInNumber.lastIndex = t.index;
    const m = builtInNumber.exec(window);
    if (m && !doseLike.test(m[0])) return { at: t.index, text: m[0], label: 'Hospital number' };
  }
  return null;
}
