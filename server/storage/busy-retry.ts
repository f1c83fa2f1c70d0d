import { storageFailureKind } from './storage-failure.js';

/**
 * Runs a relay-side audited action (a revocation, a role change, a device removed or reported
 * wiped) again while the store is busy, with backoff, for up to `totalMs`. Each of these takes
 * the organisation's audit-chain lock; under a burst of device appends one attempt can wait past
 * the store's own lock timeout (3 s) and fail with a busy error, which for a device's append is a
 * 503 the device retries, but for IT running `pmsg relay revoke` at a leaver's last hour would be
 * a spurious failure. Each attempt is one transaction that rolled back whole, so trying again is
 * safe. Anything but "busy" (full disk, a bug) fails at once.
 */
export async function retryWhileBusy<T>(
  op: () => Promise<T>,
  options: { totalMs?: number } = {},
): Promise<T> {
  const deadline = performance.now() + (options.totalMs ?? 30_000);
  for (let wait = 50; ; wait = Math.min(wait * 2, 1_000)) {
    try {
      return await op();
    } catch (error) {
      if (storageFailureKind(error) !== 'busy' || performance.now() + wait >= deadline) {
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}
