/**
 * What an unlock puts on the practice trail: the policy this device runs under (where it came
 * from and which keys IT set, never their values: a value such as a relay address or a folder can
 * name a person or a place), recorded at the first unlock and whenever it differs from the last
 * record (a record at every unlock would bury the trail's other entries), and a burst of wrong passcodes typed since the last unlock, so that
 * a manager sees someone guessing at a colleague's PC. Both are recorded by the device with no
 * actor: nobody in particular did them.
 *
 * A burst that ends in the wrong-passcode wipe cannot be recorded here: the profile's database
 * cannot be opened without the passcode, and the wipe removes it. The relay records it instead,
 * told by the wiping unlock (wipe-report.ts, docs/security.md).
 */
import type { AuditRepository } from '../db/repositories/audit-repository.js';
import type { LoadedPolicy } from '../policy/load-policy.js';

export const policyLoadedAuditAction = 'policy.loaded';
export const failedUnlocksAuditAction = 'unlock.failed_burst';

/** This many wrong passcodes in a row (since the last unlock) are a burst worth a record. */
export const failedUnlockBurst = 3;

export interface UnlockAuditFacts {
  readonly at: number;
  readonly policy: LoadedPolicy;
  /** Wrong passcodes counted just before this unlock, and when the last was typed. */
  readonly failuresBefore: number;
  readonly lastFailureAt?: number | undefined;
}

export function recordUnlockAudit(audit: AuditRepository, facts: UnlockAuditFacts): void {
  const keys = facts.policy.keysSet ?? [];
  const details = { source: facts.policy.source, keysSet: keys.join(','), keyCount: keys.length };
  const last = audit.latestOf(policyLoadedAuditAction);
  const same =
    last !== null &&
    last.details['source'] === details.source &&
    last.details['keysSet'] === details.keysSet;
  if (!same) {
    audit.append({ at: facts.at, actorAccountId: null, action: policyLoadedAuditAction, details });
  }
  if (facts.failuresBefore >= failedUnlockBurst) {
    audit.append({
      at: facts.at,
      actorAccountId: null,
      action: failedUnlocksAuditAction,
      details: {
        failures: facts.failuresBefore,
        lastFailureAt: facts.lastFailureAt ?? null,
      },
    });
  }
}
