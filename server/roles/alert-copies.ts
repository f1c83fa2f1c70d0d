import type { HeldCopy } from '../../shared/protocol/index.js';
import type { RoleSql } from './role-sql.js';

/** The relay's queue caps (docs/protocol.md §1.3), as the send path applies them. */
export interface QueueCaps {
  readonly maxQueuedPerDevice: number;
  readonly maxQueuedPerSender: number;
  readonly queueReservedPerSender: number;
}

/**
 * Whether one more envelope from this sender fits in the device's queue, by the send path's rule
 * (sqlite-enqueue.ts): the sender's own share first, then, past its reserve, the device's total.
 */
export async function queueHasRoom(
  sql: RoleSql,
  devicePk: number,
  senderAccountId: string,
  caps: QueueCaps,
): Promise<boolean> {
  const [own] = await sql.all<{ n: number | string }>(
    'SELECT COUNT(*) AS n FROM envelopes WHERE device_pk = ? AND sender_account_id = ?',
    [devicePk, senderAccountId],
  );
  const ownCount = Number(own?.n ?? 0);
  if (ownCount >= caps.maxQueuedPerSender) return false;
  if (ownCount < caps.queueReservedPerSender) return true;
  const [all] = await sql.all<{ n: number | string }>(
    'SELECT COUNT(*) AS n FROM envelopes WHERE device_pk = ?',
    [devicePk],
  );
  return Number(all?.n ?? 0) < caps.maxQueuedPerDevice;
}

/** The active device behind a copy's device id and registration id, or null. */
export async function activeDevicePk(
  sql: RoleSql,
  org: string,
  accountId: string,
  deviceId: number,
  registrationId: number,
): Promise<number | null> {
  const rows = await sql.all<{ device_pk: number | string }>(
    `SELECT d.device_pk FROM devices d JOIN accounts a ON a.account_id = d.account_id
      WHERE d.account_id = ? AND d.device_id = ? AND d.registration_id = ?
        AND d.status = 'active' AND a.status = 'active' AND a.org = ?`,
    [accountId, deviceId, registrationId, org],
  );
  return rows[0] ? Number(rows[0].device_pk) : null;
}

/** Records that these accounts have the message; returns those that did not have it before. */
export async function cover(
  sql: RoleSql,
  alertId: string,
  accountIds: readonly string[],
): Promise<string[]> {
  const added: string[] = [];
  for (const accountId of new Set(accountIds)) {
    const n = await sql.run(
      `INSERT INTO role_alert_covered (alert_id, account_id) VALUES (?, ?)
         ON CONFLICT (alert_id, account_id) DO NOTHING`,
      [alertId, accountId],
    );
    if (n === 1) added.push(accountId);
  }
  return added;
}

/**
 * Accounts on duty in the escalation role now that have no copy of the message (never the sender
 * nor the asking account): an escalation holder who came on duty after the message was sent.
 */
export async function uncoveredHolders(
  sql: RoleSql,
  alert: {
    alert_id: string;
    org: string;
    escalate_to_role_id: string | null;
    sender_account_id: string;
  },
  callerAccountId: string,
): Promise<string[]> {
  if (alert.escalate_to_role_id === null) return [];
  const rows = await sql.all<{ account_id: string }>(
    `SELECT h.account_id FROM duty_holders h JOIN accounts a ON a.account_id = h.account_id
      WHERE h.role_id = ? AND a.status = 'active' AND a.org = ?
        AND h.account_id <> ? AND h.account_id <> ?
        AND NOT EXISTS (SELECT 1 FROM role_alert_covered c
                         WHERE c.alert_id = ? AND c.account_id = h.account_id)
      ORDER BY h.since, h.account_id`,
    [
      alert.escalate_to_role_id,
      alert.org,
      alert.sender_account_id,
      callerAccountId,
      alert.alert_id,
    ],
  );
  return rows.map((r) => r.account_id);
}

/**
 * Queues one account's copy on its devices, from `sender`, if every listed device has room;
 * devices revoked or re-enrolled since are skipped. Returns the queued devices, or null when a
 * queue is full (nothing is queued then, so the copy can be offered again later).
 */
export async function queueCopy(
  sql: RoleSql,
  org: string,
  copy: Pick<HeldCopy, 'accountId' | 'clientMessageId'> & {
    messages: readonly {
      deviceId: number;
      registrationId: number;
      type: number;
      content: Uint8Array;
    }[];
  },
  sender: { accountId: string; deviceId: number; clientTimestamp: number | null },
  caps: QueueCaps,
  now: number,
): Promise<number[] | null> {
  const targets: { devicePk: number; message: (typeof copy.messages)[number] }[] = [];
  for (const message of copy.messages) {
    const devicePk = await activeDevicePk(
      sql,
      org,
      copy.accountId,
      message.deviceId,
      message.registrationId,
    );
    if (devicePk === null) continue;
    if (!(await queueHasRoom(sql, devicePk, sender.accountId, caps))) return null;
    targets.push({ devicePk, message });
  }
  for (const { devicePk, message } of targets) {
    await sql.run(
      `INSERT INTO envelopes (device_pk, sender_account_id, sender_device_id,
         client_message_id, type, content, client_timestamp, server_timestamp)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        devicePk,
        sender.accountId,
        sender.deviceId,
        copy.clientMessageId,
        message.type,
        Buffer.from(message.content),
        sender.clientTimestamp,
        now,
      ],
    );
  }
  return targets.map((t) => t.devicePk);
}
