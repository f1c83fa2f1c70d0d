import type { PoolClient } from 'pg';
import type { QuotaName } from './org-quota.js';
import type { EnqueueInput, EnqueueResult } from './relay-storage.js';

/** The channel on which a committed enqueue names the devices with new envelopes. */
export const queuedChannel = 'pmsg_queued';

/**
 * The send path: one call of the `pmsg_enqueue` function (postgres-enqueue-function.ts), which
 * locks the recipient's device rows, runs every check of sqlite-enqueue.ts, inserts the
 * envelopes and the duplicate log and sends the NOTIFY (delivered to the other nodes only on
 * commit). On the pool it is a transaction of its own; a multi-recipient send calls it once per
 * account on one client inside its transaction.
 */
export async function enqueuePostgres(
  client: Pick<PoolClient, 'query'>,
  input: EnqueueInput,
  nodeId: string,
): Promise<EnqueueResult> {
  const row = (
    await client.query<{ r: EnqueueRow }>(
      `SELECT pmsg_enqueue($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) AS r`,
      [
        input.recipientAccountId,
        input.senderOrg,
        input.senderDevicePk,
        input.senderAccountId,
        input.senderDeviceId,
        input.clientMessageId,
        input.clientTimestamp,
        input.now,
        input.envelopes.map((e) => e.deviceId),
        input.envelopes.map((e) => e.registrationId),
        input.envelopes.map((e) => e.type),
        input.envelopes.map((e) => Buffer.from(e.content)),
        input.maxQueuedPerDevice,
        input.maxQueuedPerSender,
        input.queueReservedPerSender,
        queuedChannel,
        nodeId,
      ],
    )
  ).rows[0]!.r;
  switch (row.reason) {
    case null:
      return {
        ok: true,
        queued: row.queuedDevices.map((deviceId, i) => ({
          deviceId,
          devicePk: row.queuedPks[i]!,
        })),
        duplicates: row.duplicates,
      };
    case 'not_found':
      return { ok: false, reason: 'not_found' };
    case 'mismatched':
      // As sqlite-enqueue.ts orders them.
      return {
        ok: false,
        reason: 'mismatched',
        missingDevices: row.missingDevices,
        extraDevices: row.extraDevices.sort(),
      };
    case 'stale':
      return { ok: false, reason: 'stale', staleDevices: row.staleDevices };
    case 'queue_full':
      return { ok: false, reason: 'queue_full', fullDevices: row.fullDevices };
    case 'org_quota':
      return { ok: false, reason: 'org_quota', quota: row.quota, limit: Number(row.limit) };
  }
}

/** What pmsg_enqueue returns (jsonb). */
type EnqueueRow =
  | { reason: null; queuedDevices: number[]; queuedPks: number[]; duplicates: number[] }
  | { reason: 'not_found' }
  | { reason: 'mismatched'; missingDevices: number[]; extraDevices: number[] }
  | { reason: 'stale'; staleDevices: number[] }
  | { reason: 'queue_full'; fullDevices: number[] }
  | { reason: 'org_quota'; quota: QuotaName; limit: number | string };
