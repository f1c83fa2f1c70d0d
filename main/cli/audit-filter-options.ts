import { normaliseNhsNumber } from '../../shared/clinical/nhs-number.js';
import { CliUsageError } from './cli-command.js';

/**
 * `pmsg client audit`'s --patient and --since, checked before the profile is opened: a mistyped
 * NHS number or date is a usage error (exit 2), never an empty answer that looks like "nothing
 * recorded about this patient".
 */
export interface AuditFilterOptions {
  /** The ten bare digits of the NHS number. */
  readonly patientNhs?: string;
  readonly sinceAt?: number;
}

const isoDate =
  /^(\d{4})-(\d{2})-(\d{2})(T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;

export function auditFilterOptions(
  values: Record<string, string | boolean | undefined>,
): AuditFilterOptions {
  const options: { patientNhs?: string; sinceAt?: number } = {};
  const patient = values['patient'];
  if (patient !== undefined) {
    const digits = typeof patient === 'string' ? normaliseNhsNumber(patient) : null;
    if (digits === null) {
      throw new CliUsageError(
        '--patient must be a valid NHS number: ten digits, optionally spaced 3 3 4 (e.g. "943 476 5919"), whose last digit is the Modulus 11 check digit. Check it was keyed correctly.',
      );
    }
    options.patientNhs = digits;
  }
  const since = values['since'];
  if (since !== undefined) {
    options.sinceAt = parseSince(since);
  }
  return options;
}

function parseSince(value: string | boolean): number {
  const text = typeof value === 'string' ? value.trim() : '';
  const match = isoDate.exec(text);
  const at = match ? Date.parse(text) : Number.NaN;
  // Date.parse rolls 2026-02-30 over into March: the calendar day must be the one written.
  const day = match ? new Date(Date.UTC(+match[1]!, +match[2]! - 1, +match[3]!)) : null;
  const real =
    day !== null &&
    day.getUTCFullYear() === +match![1]! &&
    day.getUTCMonth() === +match![2]! - 1 &&
    day.getUTCDate() === +match![3]!;
  if (!real || Number.isNaN(at)) {
    throw new CliUsageError(
      `--since must be an ISO 8601 date (2026-11-30, from midnight UTC) or a time with its zone (2026-11-30T09:00Z, 2026-11-30T09:00+01:00); "${text}" is not.`,
    );
  }
  return at;
}
