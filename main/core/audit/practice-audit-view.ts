import type {
  PracticeAuditEntryView,
  PracticeAuditView,
} from '../../../shared/ipc/clinical-schemas.js';
import type { Role } from '../../../shared/protocol/limits.js';
import type { Repositories } from '../db/repositories/repositories.js';
import { isRole } from '../transcription/staff-directory.js';
import type { PracticeAuditEntry, PracticeAuditTrail } from './practice-audit-reader.js';

/**
 * The practice-wide audit trail as the manager's screen shows it: newest first, people named
 * from the practice directory (or, for someone no longer in it, from the relay's own record of
 * their enrolment), filtered by kind, person, time and patient, a page at a time. The chain status
 * is that of the whole trail, whatever the filter.
 */

/** What `pmsg client audit` and the manager's screen both filter on. */
export interface PracticeAuditMatch {
  readonly kind?: string;
  readonly accountId?: string;
  /** From this time (inclusive) and before this one (exclusive), ms since the epoch. */
  readonly sinceAt?: number;
  readonly untilAt?: number;
  /**
   * Entries about one patient: the keyed hashes of their NHS number, one per key version this
   * device holds (patient-ref-hash.ts). Empty: no key, so nothing can match.
   */
  readonly patientRefHashes?: readonly string[];
}

export interface PracticeAuditFilter extends PracticeAuditMatch {
  readonly limit: number;
  readonly beforeSeq?: number;
}

export function matchesPracticeAudit(
  entry: PracticeAuditEntry,
  match: PracticeAuditMatch,
): boolean {
  return (
    (match.kind === undefined || entry.action === match.kind) &&
    (match.accountId === undefined ||
      entry.accountId === match.accountId ||
      entry.actorAccountId === match.accountId) &&
    (match.sinceAt === undefined || entry.at >= match.sinceAt) &&
    (match.untilAt === undefined || entry.at < match.untilAt) &&
    (match.patientRefHashes === undefined ||
      (entry.patientRefHash !== null && match.patientRefHashes.includes(entry.patientRefHash)))
  );
}

type Detail = string | number | boolean | null;

export function practiceAuditView(
  trail: PracticeAuditTrail,
  repositories: Pick<Repositories, 'contacts'>,
  filter: PracticeAuditFilter,
): PracticeAuditView {
  const enrolled = new Map<string, { displayName: string; role: unknown }>();
  for (const entry of trail.entries) {
    // The relay's records name the person as enrolled: someone this device never talked to, or
    // a leaver no longer in the directory, is still named.
    const named = entry.source === 'relay' ? entry.details.displayName : undefined;
    if (typeof named === 'string') {
      enrolled.set(entry.accountId, { displayName: named, role: entry.details.role });
    }
  }
  const person = (
    accountId: string,
  ): { accountId: string; displayName: string; role: Role | null } => {
    const contact = repositories.contacts.get(accountId);
    const relay = enrolled.get(accountId);
    const role = isRole(contact?.role) ? contact.role : relay?.role;
    return {
      accountId,
      displayName: contact?.displayName ?? relay?.displayName ?? `Unknown (account ${accountId})`,
      role: isRole(role) ? role : null,
    };
  };

  const matching = trail.entries
    .filter(
      (e) =>
        matchesPracticeAudit(e, filter) &&
        (filter.beforeSeq === undefined || e.seq < filter.beforeSeq),
    )
    .sort((a, b) => b.seq - a.seq);
  const page = matching.slice(0, filter.limit);
  const people = new Map<string, string>();
  for (const e of trail.entries) {
    for (const id of [e.accountId, e.actorAccountId]) {
      if (id !== null && !people.has(id)) people.set(id, person(id).displayName);
    }
  }
  return {
    chain: { intact: trail.intact, brokenAt: trail.brokenAt, records: trail.records },
    entries: page.map((e) => toView(e, person)),
    kinds: [...new Set(trail.entries.map((e) => e.action))].sort(),
    people: [...people]
      .map(([accountId, displayName]) => ({ accountId, displayName }))
      .sort((a, b) => a.displayName.localeCompare(b.displayName)),
    nextBeforeSeq: matching.length > page.length ? page[page.length - 1]!.seq : null,
  };
}

function toView(
  entry: PracticeAuditEntry,
  person: (accountId: string) => { accountId: string; displayName: string; role: Role | null },
): PracticeAuditEntryView {
  const details: Record<string, Detail> = {};
  for (const [key, value] of Object.entries(entry.details)) {
    // Events hold flat values only; anything nested is not shown rather than guessed at.
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) {
      details[key] = value as Detail;
    }
  }
  return {
    id: entry.seq,
    at: entry.at,
    actor: entry.actorAccountId === null ? null : person(entry.actorAccountId),
    action: entry.action,
    conversationId: entry.conversationId,
    messageIds: [...entry.messageIds],
    patientRefHash: entry.patientRefHash,
    details,
    source: entry.source,
    subject: { ...person(entry.accountId), deviceId: entry.deviceId },
    readable: entry.readable,
  };
}
