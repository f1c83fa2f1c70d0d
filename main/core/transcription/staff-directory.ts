import { MessengerError } from '../../../shared/errors.js';
import type { StaffMember } from '../../../shared/clinical/record-entry.js';
import type { Role } from '../../../shared/protocol/limits.js';
import { isRole, roleLabel } from '../../../shared/role-labels.js';
import type { Repositories } from '../db/repositories/repositories.js';

/** Re-exported for the audit view, which asks the same questions of the directory. */
export { isRole, roleLabel };

type Directory = Pick<Repositories, 'contacts'>;

/** A sender as the record should name them; someone the directory never synced keeps their id. */
export function staffMemberOf(repositories: Directory, accountId: string): StaffMember {
  const contact = repositories.contacts.get(accountId);
  const identifiers = contact?.identifiers ?? {};
  return {
    name: contact?.displayName ?? `Unknown member of staff (account ${accountId})`,
    role: roleLabel(contact?.role ?? null),
    accountId,
    ...(Object.keys(identifiers).length > 0 ? { identifiers } : {}),
  };
}

export interface OwnStaffIdentity {
  readonly accountId: string;
  readonly member: StaffMember;
  /** The directory role (the relay's), which decides who may see the audit log. */
  readonly role: Role | null;
}

/**
 * The signed-in member of staff: the account id comes from enrolment (own_identity), name and role
 * from the practice directory, which lists one's own account too (docs/protocol.md §3).
 */
export function ownStaffIdentity(
  repositories: Pick<Repositories, 'contacts' | 'ownIdentity'>,
): OwnStaffIdentity {
  const accountId = repositories.ownIdentity.get()?.accountId ?? null;
  if (accountId === null) {
    throw new MessengerError(
      'forbidden',
      'This profile has not enrolled with the practice yet, so it has no identity to record. ' +
        'Enrol with the code from your practice manager first.',
    );
  }
  const contact = repositories.contacts.get(accountId);
  return {
    accountId,
    member: staffMemberOf(repositories, accountId),
    role: isRole(contact?.role) ? contact.role : null,
  };
}
