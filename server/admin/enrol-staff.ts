/**
 * `pmsg relay enrol --csv`: a code for everyone on the staff list and one printable letter each.
 * The list is checked whole first (staff-csv.ts) and the letters folder must be new or empty, so
 * that nothing is issued for a run that cannot finish its letters.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { issueEnrolmentCode } from '../admin.js';
import type { RelayStorage } from '../storage/relay-storage.js';
import { enrolmentLetterHtml } from './enrolment-letter.js';
import type { StaffMember } from './staff-csv.js';

export interface EnrolledStaffMember {
  line: number;
  displayName: string;
  role: string;
  org: string;
  accountId: string;
  code: string;
  expiresAt: string;
  letter: string;
}

export class LettersFolderInUse extends Error {}

/** Refuses a letters folder that already holds files (old letters hold live codes). */
export function prepareLettersFolder(lettersDir: string): void {
  if (existsSync(lettersDir) && readdirSync(lettersDir).length > 0) {
    throw new LettersFolderInUse(
      `${lettersDir} is not empty; give a new folder for the letters (and shred the old ones once used).`,
    );
  }
  mkdirSync(lettersDir, { recursive: true, mode: 0o700 });
}

function fileName(index: number, name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .toLowerCase()
    .slice(0, 40);
  return `${String(index + 1).padStart(3, '0')}-${slug || 'staff'}.html`;
}

export async function enrolStaff(
  storage: RelayStorage,
  staff: readonly StaffMember[],
  options: { relayUrl: string; lettersDir: string; lifetimeHours?: number },
): Promise<EnrolledStaffMember[]> {
  const enrolled: EnrolledStaffMember[] = [];
  for (const [index, member] of staff.entries()) {
    const { line, ...target } = member;
    const issued = await issueEnrolmentCode(storage, target, options.lifetimeHours);
    const letter = path.join(options.lettersDir, fileName(index, member.displayName));
    writeFileSync(
      letter,
      enrolmentLetterHtml({
        displayName: issued.displayName,
        role: issued.role,
        org: issued.org,
        code: issued.code,
        relayUrl: options.relayUrl,
        expiresAt: issued.expiresAt,
      }),
      { mode: 0o600 },
    );
    chmodSync(letter, 0o600);
    enrolled.push({
      line,
      displayName: issued.displayName,
      role: issued.role,
      org: issued.org,
      accountId: issued.accountId,
      code: issued.code,
      expiresAt: issued.expiresAt,
      letter: path.resolve(letter),
    });
  }
  return enrolled;
}
