import { createHash } from 'node:crypto';
import type { TranscriptionForm } from '../../../shared/ipc/clinical-schemas.js';

export type Handover = 'copied' | 'fhir_saved';

/**
 * Which record entries left the app (copied, or saved as a FHIR file) while the profile has been
 * unlocked: "entered into the record" may be confirmed only for an entry that did, unless the
 * user says they entered it another way. Keyed by a hash of the form without the deletion
 * choice, so editing the entry after copying it asks for it to be copied again. Kept in memory
 * only (the hash is of PID) and forgotten on lock.
 */
export class EntryHandovers {
  private readonly entries = new Map<string, Handover>();

  record(form: TranscriptionForm, how: Handover): void {
    this.entries.set(fingerprint(form), how);
  }

  /** How this exact entry left the app, or null when it never did. */
  of(form: TranscriptionForm): Handover | null {
    return this.entries.get(fingerprint(form)) ?? null;
  }

  clear(): void {
    this.entries.clear();
  }
}

function fingerprint(form: TranscriptionForm): string {
  const { deleteOriginals: _choice, ...entry } = form;
  return createHash('sha256').update(stableJson(entry)).digest('hex');
}

/** JSON with object keys sorted, so the same entry always gives the same text. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
