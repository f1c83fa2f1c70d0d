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
] as const;

export type PidKind = (typeof pidKinds)[number];

export interface PidFinding {
  readonly kind: PidKind;
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
  'hospital-number': 7,
  'nhs-number': 6,
  'ni-number': 5,
  email: 4,
  'phone-number': 3,
  date: 2,
  postcode: 1,
};
