import type { OrgQuota, RelayStorage } from '../storage/relay-storage.js';

/**
 * `pmsg relay org set-quota|show`: an organisation's quotas on a relay hosting many practices
 * (docs/protocol.md §1.4). Each flag sets one quota to a whole number, or `none` to lift it;
 * quotas not named keep their value. Prints {"org","quota","usage"}.
 */
export const orgQuotaFlags = {
  'max-devices': 'maxDevices',
  'max-queued-envelopes': 'maxQueuedEnvelopes',
  'max-queued-bytes': 'maxQueuedBytes',
  'max-blob-bytes': 'maxBlobBytes',
} as const satisfies Record<string, keyof OrgQuota>;

export const orgUsage = `  org set-quota --data <dir> | --database <url> --org <name> [--max-devices <n>|none]
          [--max-queued-envelopes <n>|none] [--max-queued-bytes <n>|none] [--max-blob-bytes <n>|none]
          Set an organisation's quotas (active devices; envelopes and bytes waiting for its
          devices; attachment bytes held). Enforced in the database, on every node; a write past
          one is refused with 507 org_quota_exceeded. "none" lifts a quota; those not named stay.
  org show      --data <dir> | --database <url> --org <name>
          Print {"org","quota","usage"}: the quotas (null: none) and what the organisation uses.`;

export class OrgQuotaUsageError extends Error {}

// Large enough for any real quota, small enough to be exact in a double and a BIGINT.
const maxQuota = 2 ** 48;

/** The quotas after applying the flags given to `current`. */
export function quotaFromFlags(
  current: OrgQuota,
  options: Record<string, string | boolean | undefined>,
): OrgQuota {
  const next: OrgQuota = { ...current };
  let given = 0;
  for (const [flag, key] of Object.entries(orgQuotaFlags)) {
    const value = options[flag];
    if (value === undefined) continue;
    given += 1;
    if (value === 'none') {
      next[key] = null;
      continue;
    }
    if (typeof value !== 'string' || !/^[0-9]+$/.test(value) || Number(value) > maxQuota) {
      throw new OrgQuotaUsageError(
        `--${flag} must be a whole number from 0 to ${maxQuota}, or "none" to lift it; not "${String(value)}".`,
      );
    }
    next[key] = Number(value);
  }
  if (given === 0) {
    throw new OrgQuotaUsageError(
      `say which quota to set: ${Object.keys(orgQuotaFlags)
        .map((f) => `--${f}`)
        .join(', ')}.`,
    );
  }
  return next;
}

export async function runOrgQuota(
  storage: RelayStorage,
  verb: 'set-quota' | 'show',
  org: string,
  options: Record<string, string | boolean | undefined>,
): Promise<unknown> {
  const now = Date.now();
  if (verb === 'set-quota') {
    const { quota } = await storage.orgQuota(org, now);
    await storage.setOrgQuota(org, quotaFromFlags(quota, options));
  }
  const { quota, usage } = await storage.orgQuota(org, now);
  return { org, quota, usage };
}
