import { roles, type Role } from './protocol/limits.js';

/**
 * How a directory role reads, everywhere: the renderer's directory and message rows, the audit
 * view, the record entry and the FHIR resource. One table, so a receptionist is not "Reception"
 * on screen and "Receptionist" in the record. The record may want the job in the practice's own
 * words ("GP", "Practice nurse"); the transcription panel lets the clinician say so.
 */
export const roleLabels: Readonly<Record<Role, string>> = {
  reception: 'Reception',
  clinician: 'Clinician',
  nurse: 'Nurse',
  pharmacist: 'Pharmacist',
  manager: 'Practice manager',
  admin: 'Admin',
};

/** Said of someone the directory has no role for (not synced yet, or left the practice). */
export const unknownRoleLabel = 'Role not known';

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (roles as readonly string[]).includes(value);
}

export function roleLabel(role: string | null | undefined): string {
  return isRole(role) ? roleLabels[role] : unknownRoleLabel;
}
