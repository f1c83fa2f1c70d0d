import type {
  EnqueueInput,
  EnqueueResult,
  MultiEnqueueInput,
  MultiEnqueueResult,
} from './relay-storage.js';

/**
 * The multi-recipient send on top of each store's one-account send: every account runs the same
 * checks inside ONE transaction, in account-id order (so two group sends lock accounts in the
 * same order and cannot deadlock on PostgreSQL), and any failure rolls all of them back.
 */
export class MultiEnqueueRefused extends Error {
  constructor(readonly result: Exclude<MultiEnqueueResult, { ok: true }>) {
    super(`multi-recipient send refused: ${result.reason}`);
    this.name = 'MultiEnqueueRefused';
  }
}

/** The one-account input for each recipient, in lock order. */
export function perAccountInputs(input: MultiEnqueueInput): EnqueueInput[] {
  const { recipients, type, content, ...common } = input;
  return [...recipients]
    .sort((a, b) => (a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0))
    .map((recipient) => ({
      ...common,
      recipientAccountId: recipient.accountId,
      envelopes: recipient.devices.map((d) => ({ ...d, type, content })),
    }));
}

/**
 * Folds the per-account outcomes: ok only when all are; otherwise the failure of the first kind
 * in the 1:1 order (unknown account, device list, registration ids, queue caps) with every
 * account that failed that way, so the sender fixes them all before the next attempt.
 */
export function combineOutcomes(
  outcomes: { accountId: string; result: EnqueueResult }[],
): MultiEnqueueResult {
  const failed = <R extends Exclude<EnqueueResult, { ok: true }>['reason']>(reason: R) =>
    outcomes.flatMap(({ accountId, result }) =>
      !result.ok && result.reason === reason
        ? [{ accountId, result: result as Extract<EnqueueResult, { reason: R }> }]
        : [],
    );
  const notFound = failed('not_found');
  if (notFound.length > 0) {
    return { ok: false, reason: 'not_found', accountIds: notFound.map((f) => f.accountId) };
  }
  const mismatched = failed('mismatched');
  if (mismatched.length > 0) {
    return {
      ok: false,
      reason: 'mismatched',
      accounts: mismatched.map(({ accountId, result }) => ({
        accountId,
        missingDevices: result.missingDevices,
        extraDevices: result.extraDevices,
      })),
    };
  }
  const stale = failed('stale');
  if (stale.length > 0) {
    return {
      ok: false,
      reason: 'stale',
      accounts: stale.map(({ accountId, result }) => ({
        accountId,
        staleDevices: result.staleDevices,
      })),
    };
  }
  const full = failed('queue_full');
  if (full.length > 0) {
    return {
      ok: false,
      reason: 'queue_full',
      accounts: full.map(({ accountId, result }) => ({
        accountId,
        fullDevices: result.fullDevices,
      })),
    };
  }
  // The organisation's quota is one for all the accounts (a sender's recipients share its org).
  const quota = failed('org_quota')[0];
  if (quota)
    return { ok: false, reason: 'org_quota', quota: quota.result.quota, limit: quota.result.limit };
  return {
    ok: true,
    accounts: outcomes.map(({ accountId, result }) =>
      result.ok
        ? { accountId, queued: result.queued, duplicates: result.duplicates }
        : { accountId, queued: [], duplicates: [] },
    ),
  };
}
