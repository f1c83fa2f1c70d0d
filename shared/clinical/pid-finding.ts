/**
 * What the PID detector reports. A finding's `text` IS patient-identifiable data: show it to the
 * user who typed it, never log it or send it anywhere else.
 */
export const pidKinds = [
  'hospital-number',
  'nhs-number',
  'ni-number',
  'email',
  'phone-number',
  'date',
  'postcode',
  'address',
  'patient-name',
] as const;

export type PidKind = (typeof pidKinds)[number];

/**
 * `identifier`: identifies a patient on its own (an NHS number, a date of birth, a postcode).
 * `possible`: might be a patient's name ("Mrs Jane Smith", but it may be a colleague's): always
 * shown, but a "block" policy only warns about it (docs/security.md).
 */
export type PidSeverity = 'identifier' | 'possible';

export interface PidFinding {
  readonly kind: PidKind;
  readonly severity: PidSeverity;
  /** UTF-16 offsets into the scanned text, `end` exclusive (as String.prototype.slice). */
  readonly start: number;
  readonly end: number;
  readonly text: string;
  /** Why it was flagged, in words a receptionist understands, e.g. "Valid NHS number". */
  readonly label: string;
}

/**
 * When two findings overlap only the higher-priority one is kept: the more specific and the more
 * certainly identifying wins (a check-digit-valid NHS number over a phone-shaped digit run, an
 * email address over the postcode-shaped text inside its local part).
 */
export const pidKindPriority: Readonly<Record<PidKind, number>> = {
  'nhs-number': 8,
  'hospital-number': 7,
  'ni-number': 6,
  email: 5,
  'phone-number': 4,
  date: 3,
  postcode: 2,
  address: 1,
  'patient-name': 0,
};

/** The kinds found, each once, in a stable order: what an audit event may record (never text). */
export function findingKinds(findings: readonly PidFinding[]): PidKind[] {
  const found = new Set(findings.map((f) => f.kind));
  return pidKinds.filter((kind) => found.has(kind));
}
