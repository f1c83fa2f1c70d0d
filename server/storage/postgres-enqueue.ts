import type { PoolClient } from 'pg';
import {
  breach,
  hasQueueQuota,
  lockOrgQuota,
  postgresOrgUsage,
  quotaFromRow,
} from './org-quota.js';
import type { EnqueueInput, EnqueueResult } from './relay-storage.js';

/** The channel on which a committed enqueue names the devices with new envelopes. */
export const queuedChannel = 'pmsg_queued';

/**
 * The send path in one transaction, as enqueueNow does for SQLite. The recipient's device rows
 * are locked first (FOR UPDATE, in device_pk order so two senders cannot deadlock): concurrent
 * sends to one account, from any node, then run one after another, so the duplicate check and
 * the caps see every earlier send, and envelope ids of a device rise in commit order, which the
 * delivery cursor relies on. The NOTIFY is delivered to the other nodes only on commit.
 */
export async function enqueuePostgres(
  client: PoolClient,
  input: EnqueueInput,
  nodeId: string,
): Promise<EnqueueResult> {
  // The organisation's queue quotas come with the account: no extra round trip without one.
  const account = (
    await client.query<{
      org: string;
      status: string;
      max_queued_envelopes: string | null;
      max_queued_bytes: string | null;
    }>(
      `SELECT a.org, a.status, q.max_queued_envelopes, q.max_queued_bytes
         FROM accounts a LEFT JOIN org_quotas q ON q.org = a.org WHERE a.account_id = $1`,
      [input.recipientAccountId],
    )
  ).rows[0];
  if (!account || account.status !== 'active' || account.org !== input.senderOrg) {
    return { ok: false, reason: 'not_found' };
  }
  const devices = (
    await client.query<{ device_pk: number; device_id: number; registration_id: number }>(
      `SELECT device_pk, device_id, registration_id FROM devices
        WHERE account_id = $1 AND status = 'active' ORDER BY device_pk FOR UPDATE`,
      [input.recipientAccountId],
    )
  ).rows.filter((d) => d.device_pk !== input.senderDevicePk);
  const byId = new Map(devices.map((d) => [d.device_id, d]));
  const named = new Set(input.envelopes.map((e) => e.deviceId));
  const missingDevices = devices.filter((d) => !named.has(d.device_id)).map((d) => d.device_id);
  const extraDevices = [...named].filter((id) => !byId.has(id));
  if (missingDevices.length > 0 || extraDevices.length > 0) {
    return { ok: false, reason: 'mismatched', missingDevices, extraDevices: extraDevices.sort() };
  }
  const staleDevices = input.envelopes
    .filter((e) => byId.get(e.deviceId)?.registration_id !== e.registrationId)
    .map((e) => e.deviceId);
  if (staleDevices.length > 0) return { ok: false, reason: 'stale', staleDevices };

  const pks = devices.map((d) => d.device_pk);
  const seen = new Set(
    (
      await client.query<{ recipient_device_pk: number }>(
        `SELECT recipient_device_pk FROM sent_log
          WHERE sender_device_pk = $1 AND client_message_id = $2 AND recipient_device_pk = ANY($3)`,
        [input.senderDevicePk, input.clientMessageId, pks],
      )
    ).rows.map((r) => r.recipient_device_pk),
  );
  const depths = new Map(
    (
      await client.query<{ device_pk: number; total: number; own: number }>(
        `SELECT device_pk, COUNT(*) AS total,
                COUNT(*) FILTER (WHERE sender_account_id = $2) AS own
           FROM envelopes WHERE device_pk = ANY($1) GROUP BY device_pk`,
        [pks, input.senderAccountId],
      )
    ).rows.map((r) => [r.device_pk, r]),
  );
  // The per-sender share and reserve, as in sqlite-enqueue.ts.
  const isFullFor = (devicePk: number): boolean => {
    const own = depths.get(devicePk)?.own ?? 0;
    if (own >= input.maxQueuedPerSender) return true;
    if (own < input.queueReservedPerSender) return false;
    return (depths.get(devicePk)?.total ?? 0) >= input.maxQueuedPerDevice;
  };
  const duplicates: number[] = [];
  const fresh: { envelope: EnqueueInput['envelopes'][number]; devicePk: number }[] = [];
  const fullDevices: number[] = [];
  for (const envelope of input.envelopes) {
    const devicePk = byId.get(envelope.deviceId)!.device_pk;
    if (seen.has(devicePk)) duplicates.push(envelope.deviceId);
    else if (isFullFor(devicePk)) fullDevices.push(envelope.deviceId);
    else fresh.push({ envelope, devicePk });
  }
  if (fullDevices.length > 0) return { ok: false, reason: 'queue_full', fullDevices };
  const quota = quotaFromRow({ ...account, max_devices: null, max_blob_bytes: null });
  if (fresh.length > 0 && hasQueueQuota(quota)) {
    // After the device row locks: every node's sends to this organisation check one at a time.
    await lockOrgQuota(client, account.org);
    const overQuota = breach(quota, await postgresOrgUsage(client, account.org, input.now), {
      queuedEnvelopes: fresh.length,
      queuedBytes: fresh.reduce((sum, f) => sum + f.envelope.content.length, 0),
    });
    if (overQuota) return { ok: false, reason: 'org_quota', ...overQuota };
  }

  if (fresh.length > 0) {
    const freshPks = fresh.map((f) => f.devicePk);
    // One statement for the envelopes (ids in array order), the duplicate log and the NOTIFY.
    await client.query(
      `WITH queued AS (
         INSERT INTO envelopes (device_pk, sender_account_id, sender_device_id, client_message_id,
                                type, content, client_timestamp, server_timestamp)
         SELECT pk, $2, $3, $4, t, c, $5, $6
           FROM unnest($1::int[], $7::int[], $8::bytea[]) WITH ORDINALITY AS u (pk, t, c, n)
          ORDER BY n
         RETURNING 1
       ), logged AS (
         INSERT INTO sent_log (sender_device_pk, client_message_id, recipient_device_pk, created_at)
         SELECT $9, $4, pk, $6 FROM unnest($1::int[]) AS l (pk)
         RETURNING 1
       )
       SELECT (SELECT COUNT(*) FROM queued) AS queued, (SELECT COUNT(*) FROM logged) AS logged,
              pg_notify($10, $11)`,
      [
        freshPks,
        input.senderAccountId,
        input.senderDeviceId,
        input.clientMessageId,
        input.clientTimestamp,
        input.now,
        fresh.map((f) => f.envelope.type),
        fresh.map((f) => Buffer.from(f.envelope.content)),
        input.senderDevicePk,
        queuedChannel,
        `${nodeId}:${freshPks.join(',')}`,
      ],
    );
  }
  return {
    ok: true,
    queued: fresh.map((f) => ({ deviceId: f.envelope.deviceId, devicePk: f.devicePk })),
    duplicates,
  };
}
