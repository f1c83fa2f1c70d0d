/**
 * The directory roles that give clinical advice and may decide it is in the patient record:
 * only they may confirm a transcription that deletes someone else's messages, and only their
 * messages count as advice that must be transcribed (or marked "no record needed") before
 * retention deletes it. docs/security.md states the same rule.
 */
export const clinicalRoles = ['clinician', 'nurse', 'pharmacist'] as const;
export type ClinicalRole = (typeof clinicalRoles)[number];

export function isClinicalRole(role: unknown): role is ClinicalRole {
  return typeof role === 'string' && (clinicalRoles as readonly string[]).includes(role);
}
