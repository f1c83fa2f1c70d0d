import { MessengerError } from '../../../shared/errors.js';
import type { AuditEntryView } from '../../../shared/ipc/clinical-schemas.js';
import type { Role } from '../../../shared/protocol/limits.js';
import type { AuditRecord } from '../db/repositories/audit-repository.js';
import type { Repositories } from '../db/repositories/repositories.js';
import { isRole, ownStaffIdentity } from '../transcription/staff-directory.js';

/** Who may read the audit log: the practice manager, and admins who support them. */
export const auditViewerRoles: readonly Role[] = ['manager', 'admin'];

export interface AuditPage {
  readonly entries: AuditEntryView[];
  /** Pass as `beforeId` for the next (older) page; null at the oldest entry. */
  readonly nextBeforeId: number | null;
}

type AuditRepositories = Pick<Repositories, 'audit' | 'contacts' | 'ownIdentity'>;

/**
 * Refuses anyone whose directory role is not a manager or admin. The role comes from the
 * practice directory (the relay), not from anything the renderer says, so it cannot be claimed.
 */
export function assertAuditViewer(repositories: Pick<Repositories, 'contacts' | 'ownIdentity'>) {
  const own = ownStaffIdentity(repositories);
  if (own.role === null || !auditViewerRoles.includes(own.role)) {
    throw new MessengerError(
      'forbidden',
      'Only the practice manager (or an administrator) can view the audit log. Ask them if you ' +
        'need to know who did what.',
    );
  }
  return own;
}

/** A page of the audit log, newest first, with actors named from the directory. */
export function listAuditView(
  repositories: AuditRepositories,
  options: { limit: number; beforeId?: number },
): AuditPage {
  assertAuditViewer(repositories);
  // One extra row says whether an older page exists.
  const records = repositories.audit.list({
    limit: options.limit + 1,
    ...(options.beforeId === undefined ? {} : { beforeId: options.beforeId }),
  });
  const page = records.slice(0, options.limit);
  const last = page[page.length - 1];
  return {
    entries: page.map((record) => toView(repositories, record)),
    nextBeforeId: records.length > options.limit && last ? last.id : null,
  };
}

export function toView(
  repositories: Pick<Repositories, 'contacts'>,
  record: AuditRecord,
): AuditEntryView {
  const contact =
    record.actorAccountId === null ? null : repositories.contacts.get(record.actorAccountId);
  return {
    id: record.id,
    at: record.at,
    actor:
      record.actorAccountId === null
        ? null
        : {
            accountId: record.actorAccountId,
            displayName: contact?.displayName ?? `Unknown (account ${record.actorAccountId})`,
            role: isRole(contact?.role) ? contact.role : null,
          },
    action: record.action,
    conversationId: record.conversationId,
    messageIds: [...record.messageIds],
    patientRefHash: record.patientRefHash,
    details: { ...record.details },
  };
}
