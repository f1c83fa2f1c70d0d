/**
 * Patient-identifiable data in a message being typed (NHS guidance: minimise PID; warn, or
 * block by policy). Runs in the renderer on every keystroke and again in main before sending.
 *
 * False-positive policy: warn about anything that is probably PID, but stay quiet about the
 * numbers clinical messages are full of, or users learn to click past the warning.
 *  - NHS numbers however spaced (spaces, dots, dashes), only when the check digit is right; a
 *    wrong-check-digit 10-digit number is not flagged at all unless it is phone-shaped (leading
 *    0, UK prefix), then as a phone number.
 *  - Dates: any form after "DOB" / "born" is a date of birth; a full date next to an age too;
 *    a full date after appointment or result words is not reported, nor one in the last two
 *    years or the future; other full dates are "a date". Times, day/month fractions ("2/52"),
 *    ratios ("120/80"), scores and dose sequences ("Apgars 9-10-10", "5/5/10 mg") are not.
 *  - Hospital numbers only shortly after a keyword ("MRN", "Hosp no"...).
 *  - Names only with a title or a "Name:" label, as a lower-severity "possible patient name".
 *  - Ordinary numbers, prices, dosages, observations are never matched by any pattern.
 *  - Where candidates overlap, the most specific kind wins (pid-finding.ts).
 * Every finding carries a label saying why, since the user decides (edit, or send anyway).
 */
import {
  compileHospitalNumberPatterns,
  matchHospitalNumbers,
  type CompiledHospitalNumberPatterns,
} from './hospital-number-patterns.js';
import { createDateMatcher } from './pid-date-matchers.js';
import { matchDatesOfBirth } from './pid-dob-matchers.js';
import { pidKindPriority, pidKinds, type PidFinding, type PidKind } from './pid-finding.js';
import {
  matchEmails,
  matchNhsNumbers,
  matchNiNumbers,
  matchPhoneNumbers,
  matchPostcodes,
  type PidMatcher,
} from './pid-matchers.js';
import { matchAddresses, matchPatientNames } from './pid-person-matchers.js';

export type { PidFinding, PidKind, PidSeverity } from './pid-finding.js';

export interface PidDetectorOptions {
  /** Regex sources from the practice policy, tried after "MRN", "Hosp no", "hospital number". */
  readonly hospitalNumberPatterns?: readonly string[];
  /** Kinds to look for; all of them when absent (a policy may switch some off). */
  readonly kinds?: readonly PidKind[];
  /**
   * The current year, against which a date with no context is judged (a recent or future one is
   * an appointment, not a birthday). The year the detector is created in when absent.
   */
  readonly currentYear?: number;
}

/** Scans one text. Build it once per policy with {@link createPidDetector} and call it often. */
export type PidDetector = (text: string) => PidFinding[];

function builtIn(currentYear: number): ReadonlyArray<readonly [PidKind, PidMatcher]> {
  return [
    ['nhs-number', matchNhsNumbers],
    ['ni-number', matchNiNumbers],
    ['email', matchEmails],
    ['phone-number', matchPhoneNumbers],
    ['date', createDateMatcher(currentYear)],
    ['date', matchDatesOfBirth],
    ['postcode', matchPostcodes],
    ['address', matchAddresses],
    ['patient-name', matchPatientNames],
  ];
}

/**
 * Compiles the policy's patterns once (throws MessengerError `invalid_input` naming the bad
 * pattern) and returns a detector whose findings are non-overlapping and sorted by start.
 */
export function createPidDetector(options: PidDetectorOptions = {}): PidDetector {
  const wanted = new Set<PidKind>(options.kinds ?? pidKinds);
  const currentYear = options.currentYear ?? new Date().getFullYear();
  const matchers = builtIn(currentYear)
    .filter(([kind]) => wanted.has(kind))
    .map(([, m]) => m);
  const hospital: CompiledHospitalNumberPatterns | null = wanted.has('hospital-number')
    ? compileHospitalNumberPatterns(options.hospitalNumberPatterns ?? [])
    : null;
  return (text) => {
    const candidates: PidFinding[] = [];
    if (hospital) matchHospitalNumbers(text, hospital, candidates);
    for (const match of matchers) match(text, candidates);
    return resolveOverlaps(candidates);
  };
}

/**
 * Keeps the highest-priority candidate where candidates overlap (ties: the longer, then the
 * earlier), so the user sees one reason per stretch of text.
 */
export function resolveOverlaps(candidates: readonly PidFinding[]): PidFinding[] {
  if (candidates.length < 2) return [...candidates];
  const byPreference = [...candidates].sort(
    (a, b) =>
      pidKindPriority[b.kind] - pidKindPriority[a.kind] ||
      b.end - b.start - (a.end - a.start) ||
      a.start - b.start,
  );
  // `kept` stays sorted by start, so each overlap test is a binary search.
  const kept: PidFinding[] = [];
  for (const c of byPreference) {
    let lo = 0;
    let hi = kept.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (kept[mid]!.start < c.start) lo = mid + 1;
      else hi = mid;
    }
    const before = kept[lo - 1];
    const after = kept[lo];
    if (before && before.end > c.start) continue;
    if (after && after.start < c.end) continue;
    kept.splice(lo, 0, c);
  }
  return kept;
}

const defaultDetector = createPidDetector();
const detectorCache = new Map<string, PidDetector>();
const detectorCacheSize = 8;

/**
 * One-shot convenience around {@link createPidDetector}; detectors are cached by options so
 * calling this on every keystroke does not recompile policy patterns.
 */
export function detectPid(text: string, options?: PidDetectorOptions): PidFinding[] {
  if (
    !options ||
    (!options.hospitalNumberPatterns?.length && !options.kinds && !options.currentYear)
  ) {
    return defaultDetector(text);
  }
  const key = JSON.stringify([
    options.hospitalNumberPatterns ?? [],
    options.kinds ?? null,
    options.currentYear ?? null,
  ]);
  let detector = detectorCache.get(key);
  if (!detector) {
    detector = createPidDetector(options);
    if (detectorCache.size >= detectorCacheSize) {
      detectorCache.delete(detectorCache.keys().next().value!);
    }
    detectorCache.set(key, detector);
  }
  return detector(text);
}
