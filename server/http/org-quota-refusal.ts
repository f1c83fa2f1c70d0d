import type { QuotaBreach } from '../storage/relay-storage.js';
import { RelayError } from '../relay-error.js';

/**
 * The refusal of a write that would take the organisation over one of its quotas
 * (docs/protocol.md §1.4): `507 org_quota_exceeded`, naming the quota and its limit. Queue and
 * blob quotas free up as devices collect what waits for them, so those carry `Retry-After: 60`
 * and clients retry on their own; the device quota needs IT, so it carries none.
 */
export function orgQuotaRefusal(breach: QuotaBreach): RelayError {
  const details = { quota: breach.quota, limit: breach.limit };
  const retry = { 'retry-after': '60' };
  switch (breach.quota) {
    case 'devices':
      return new RelayError(
        'org_quota_exceeded',
        `Your organisation already has its quota of ${breach.limit} devices on this relay: ask IT to revoke an old device or raise the quota.`,
        details,
      );
    case 'queued_envelopes':
      return new RelayError(
        'org_quota_exceeded',
        `Your organisation has its quota of ${breach.limit} undelivered envelopes waiting on this relay; retry later (they are collected as colleagues' devices come online).`,
        details,
        retry,
      );
    case 'queued_bytes':
      return new RelayError(
        'org_quota_exceeded',
        `Your organisation has its quota of ${breach.limit} bytes of undelivered envelopes waiting on this relay; retry later.`,
        details,
        retry,
      );
    case 'blob_bytes':
      return new RelayError(
        'org_quota_exceeded',
        `Your organisation's attachments on this relay would exceed its quota of ${breach.limit} bytes; retry later, or ask IT to raise the quota.`,
        details,
        retry,
      );
  }
}
