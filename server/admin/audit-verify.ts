import type { AuditBreak } from '../../shared/protocol/index.js';
import type { RelayStorage } from '../storage/relay-storage.js';

/**
 * `pmsg relay audit verify`: the practice audit chains checked on the relay's own storage, with
 * no relay running and no reader's device (docs/protocol.md §13): each organisation's records
 * from its anchor, hashes and relay signatures. What a manager's device checks over the network
 * (`pmsg client audit --verify`), IT can check on the database itself.
 */

export interface OrgAuditCheck {
  org: string;
  ok: boolean;
  /** Records that verified, from the anchor up to the first broken one. */
  events: number;
  /** Where retention left the chain's start. */
  anchorSeq: number;
  headSeq: number;
  headHash: string;
  brokenAt?: number;
  reason?: AuditBreak;
}

export interface RelayAuditCheck {
  ok: boolean;
  events: number;
  /** The lowest seq at which some organisation's chain breaks. */
  firstBrokenAt?: number;
  /** The organisation whose chain breaks there, and why. */
  brokenOrg?: string;
  reason?: AuditBreak;
  orgs: OrgAuditCheck[];
}

export class UnknownOrganisation extends Error {}

export async function verifyRelayAudit(
  storage: RelayStorage,
  org?: string,
): Promise<RelayAuditCheck> {
  const chained = await storage.auditOrgs();
  let orgs = chained;
  if (org !== undefined) {
    const known =
      chained.includes(org) || (await storage.listAllAccounts()).some((a) => a.org === org);
    if (!known) {
      throw new UnknownOrganisation(
        `This relay has no organisation "${org}" (run \`pmsg relay list\` to see each account's org).`,
      );
    }
    orgs = [org];
  }
  const checks: OrgAuditCheck[] = [];
  for (const name of orgs) {
    const verified = await storage.verifyAudit(name);
    checks.push({
      org: name,
      ok: verified.intact,
      events: verified.records,
      anchorSeq: verified.anchorSeq,
      headSeq: verified.headSeq,
      headHash: verified.headHash,
      ...(verified.brokenAt === null ? {} : { brokenAt: verified.brokenAt }),
      ...(verified.reason ? { reason: verified.reason } : {}),
    });
  }
  const broken = checks
    .filter((c) => !c.ok)
    .sort((a, b) => (a.brokenAt ?? 0) - (b.brokenAt ?? 0))[0];
  return {
    ok: broken === undefined,
    events: checks.reduce((sum, c) => sum + c.events, 0),
    ...(broken
      ? {
          firstBrokenAt: broken.brokenAt!,
          brokenOrg: broken.org,
          ...(broken.reason ? { reason: broken.reason } : {}),
        }
      : {}),
    orgs: checks,
  };
}
