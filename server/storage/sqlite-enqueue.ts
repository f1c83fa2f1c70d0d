import type { Database } from 'better-sqlite3-multiple-ciphers';
import { sqliteQueueQuotaBreach } from './org-quota.js';
import { prepared } from './prepared.js';
import type { EnqueueInput, EnqueueResult } from './relay-storage.js';

/**
 * The send path in one transaction: the device-list check, duplicate detection, queue caps and
 * the inserts see the same snapshot, so two concurrent sends cannot both pass a check that only
 * one of them should.
 */
export function enqueueNow(db: Database, input: EnqueueInput): EnqueueResult {
  const account = prepared(db, 'SELECT org, status FROM accounts WHERE account_id = ?').get(
    input.recipientAccountId,
  ) as { org: string; status: string } | undefined;
  if (!account || account.status !== 'active' || account.org !== input.senderOrg) {
    return { ok: false, reason: 'not_found' };
  }
  const devices = (
    prepared(
      db,
      "SELECT device_pk, device_id, registration_id FROM devices WHERE account_id = ? AND status = 'active'",
    ).all(input.recipientAccountId) as {
      device_pk: number;
      device_id: number;
      registration_id: number;
    }[]
  ).filter((d) => d.device_pk !== input.senderDevicePk);
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

  const seen = prepared(
    db,
    'SELECT 1 FROM sent_log WHERE sender_device_pk = ? AND client_message_id = ? AND recipient_device_pk = ?',
  );
  const depth = prepared(db, 'SELECT COUNT(*) FROM envelopes WHERE device_pk = ?').pluck();
  const ownDepth = prepared(
    db,
    'SELECT COUNT(*) FROM envelopes WHERE device_pk = ? AND sender_account_id = ?',
  ).pluck();
  // Each sending account has its own share of a device's queue, so the sender who fills it is the
  // one refused; and below a small reserve a sender passes even a full queue, so a few insiders
  // filling it to the total cannot silence everybody else.
  const isFullFor = (devicePk: number): boolean => {
    const own = ownDepth.get(devicePk, input.senderAccountId) as number;
    if (own >= input.maxQueuedPerSender) return true;
    if (own < input.queueReservedPerSender) return false;
    return (depth.get(devicePk) as number) >= input.maxQueuedPerDevice;
  };
  const duplicates: number[] = [];
  const fresh: { envelope: EnqueueInput['envelopes'][number]; devicePk: number }[] = [];
  const fullDevices: number[] = [];
  for (const envelope of input.envelopes) {
    const devicePk = byId.get(envelope.deviceId)!.device_pk;
    if (seen.get(input.senderDevicePk, input.clientMessageId, devicePk)) {
      duplicates.push(envelope.deviceId);
    } else if (isFullFor(devicePk)) {
      fullDevices.push(envelope.deviceId);
    } else {
      fresh.push({ envelope, devicePk });
    }
  }
  if (fullDevices.length > 0) return { ok: false, reason: 'queue_full', fullDevices };
  const overQuota = sqliteQueueQuotaBreach(db, account.org, fresh, input.now);
  if (overQuota) return { ok: false, reason: 'org_quota', ...overQuota };

  const insert = prepared(
    db,
    `INSERT INTO envelopes (device_pk, sender_account_id, sender_device_id, client_message_id,
       type, content, client_timestamp, server_timestamp) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const log = prepared(
    db,
    'INSERT INTO sent_log (sender_device_pk, client_message_id, recipient_device_pk, created_at) VALUES (?, ?, ?, ?)',
  );
  const newest = prepared(db, 'SELECT MAX(id) FROM envelopes WHERE device_pk = ?').pluck();
  const queued: EnqueueResult & { ok: true } = { ok: true, queued: [], duplicates };
  for (const { envelope, devicePk } of fresh) {
    // Under the write lock ids only grow, so nothing can later appear between these two.
    const previousId = (newest.get(devicePk) as number | null) ?? 0;
    const { lastInsertRowid } = insert.run(
      devicePk,
      input.senderAccountId,
      input.senderDeviceId,
      input.clientMessageId,
      envelope.type,
      envelope.content,
      input.clientTimestamp,
      input.now,
    );
    log.run(input.senderDevicePk, input.clientMessageId, devicePk, input.now);
    queued.queued.push({
      deviceId: envelope.deviceId,
      devicePk,
      queue: { id: Number(lastInsertRowid), previousId },
    });
  }
  return queued;
}
