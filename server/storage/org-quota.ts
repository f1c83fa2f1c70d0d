import type { Database } from 'better-sqlite3-multiple-ciphers';
import type { PoolClient } from 'pg';
import { prepared } from './prepared.js';

/**
 * Per-organisation quotas of a relay shared by many practices (docs/protocol.md §1.4): each is a
 * ceiling on what one organisation can make the relay hold, `null` for none. They live in the
 * database (`org_quotas`) and are checked inside the same transaction as the write they limit,
 * so they hold across every node on one PostgreSQL database.
 */
export interface OrgQuota {
  /** Active devices of the organisation's accounts. */
  maxDevices: number | null;
  /** Envelopes queued (not yet acknowledged) for the organisation's devices. */
  maxQueuedEnvelopes: number | null;
  /** Bytes of ciphertext in those envelopes. */
  maxQueuedBytes: number | null;
  /** Bytes of attachment blobs the organisation's devices have uploaded and not yet expired. */
  maxBlobBytes: number | null;
}

export interface OrgUsage {
  devices: number;
  queuedEnvelopes: number;
  queuedBytes: number;
  blobBytes: number;
}

export type QuotaName = 'devices' | 'queued_envelopes' | 'queued_bytes' | 'blob_bytes';

/** Which quota a write would break, and its limit. */
export interface QuotaBreach {
  quota: QuotaName;
  limit: number;
}

export const noQuota: OrgQuota = {
  maxDevices: null,
  maxQueuedEnvelopes: null,
  maxQueuedBytes: null,
  maxBlobBytes: null,
};

/** Migration of both stores: the quotas, and the blob sizes counted against them. */
export const orgQuotaMigration = `
  CREATE TABLE org_quotas (
    org TEXT PRIMARY KEY,
    max_devices BIGINT,
    max_queued_envelopes BIGINT,
    max_queued_bytes BIGINT,
    max_blob_bytes BIGINT
  );
  CREATE TABLE blob_usage (
    blob_id TEXT PRIMARY KEY,
    org TEXT NOT NULL,
    size BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
  );
  CREATE INDEX blob_usage_by_org ON blob_usage (org, expires_at);
`;

interface QuotaRow {
  max_devices: number | string | null;
  max_queued_envelopes: number | string | null;
  max_queued_bytes: number | string | null;
  max_blob_bytes: number | string | null;
}

const num = (v: number | string | null | undefined): number | null =>
  v === null || v === undefined ? null : Number(v);

export function quotaFromRow(row: QuotaRow | undefined): OrgQuota {
  if (!row) return noQuota;
  return {
    maxDevices: num(row.max_devices),
    maxQueuedEnvelopes: num(row.max_queued_envelopes),
    maxQueuedBytes: num(row.max_queued_bytes),
    maxBlobBytes: num(row.max_blob_bytes),
  };
}

/** The first quota that `usage` plus `adding` would go over, or null. */
export function breach(
  quota: OrgQuota,
  usage: Partial<OrgUsage>,
  adding: Partial<OrgUsage>,
): QuotaBreach | null {
  const checks: [QuotaName, number | null, keyof OrgUsage][] = [
    ['devices', quota.maxDevices, 'devices'],
    ['queued_envelopes', quota.maxQueuedEnvelopes, 'queuedEnvelopes'],
    ['queued_bytes', quota.maxQueuedBytes, 'queuedBytes'],
    ['blob_bytes', quota.maxBlobBytes, 'blobBytes'],
  ];
  for (const [name, limit, key] of checks) {
    const more = adding[key] ?? 0;
    if (limit !== null && more > 0 && (usage[key] ?? 0) + more > limit) {
      return { quota: name, limit };
    }
  }
  return null;
}

export const hasQueueQuota = (q: OrgQuota): boolean =>
  q.maxQueuedEnvelopes !== null || q.maxQueuedBytes !== null;

// --- SQLite (one writer: a check inside the write transaction is exact) ---

export function sqliteOrgQuota(db: Database, org: string): OrgQuota {
  return quotaFromRow(
    prepared(
      db,
      'SELECT max_devices, max_queued_envelopes, max_queued_bytes, max_blob_bytes FROM org_quotas WHERE org = ?',
    ).get(org) as QuotaRow | undefined,
  );
}

export function sqliteOrgUsage(db: Database, org: string, now: number): OrgUsage {
  const queued = prepared(
    db,
    `SELECT COUNT(*) AS n, COALESCE(SUM(length(content)), 0) AS bytes FROM envelopes
      WHERE device_pk IN (SELECT d.device_pk FROM devices d JOIN accounts a USING (account_id)
                           WHERE a.org = ?)`,
  ).get(org) as { n: number; bytes: number };
  const devices = prepared(
    db,
    `SELECT COUNT(*) FROM devices d JOIN accounts a USING (account_id)
      WHERE a.org = ? AND d.status = 'active'`,
  )
    .pluck()
    .get(org) as number;
  const blobBytes = prepared(
    db,
    'SELECT COALESCE(SUM(size), 0) FROM blob_usage WHERE org = ? AND expires_at > ?',
  )
    .pluck()
    .get(org, now) as number;
  return { devices, queuedEnvelopes: queued.n, queuedBytes: queued.bytes, blobBytes };
}

/** Whether queuing `fresh` would take the organisation over a queue quota (SQLite). */
export function sqliteQueueQuotaBreach(
  db: Database,
  org: string,
  fresh: readonly { envelope: { content: Uint8Array } }[],
  now: number,
): QuotaBreach | null {
  if (fresh.length === 0) return null;
  const quota = sqliteOrgQuota(db, org);
  if (!hasQueueQuota(quota)) return null;
  return breach(quota, sqliteOrgUsage(db, org, now), {
    queuedEnvelopes: fresh.length,
    queuedBytes: fresh.reduce((sum, f) => sum + f.envelope.content.length, 0),
  });
}

export function sqliteSetOrgQuota(db: Database, org: string, quota: OrgQuota): void {
  prepared(
    db,
    `INSERT INTO org_quotas (org, max_devices, max_queued_envelopes, max_queued_bytes, max_blob_bytes)
     VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (org) DO UPDATE SET max_devices = excluded.max_devices,
       max_queued_envelopes = excluded.max_queued_envelopes,
       max_queued_bytes = excluded.max_queued_bytes, max_blob_bytes = excluded.max_blob_bytes`,
  ).run(org, quota.maxDevices, quota.maxQueuedEnvelopes, quota.maxQueuedBytes, quota.maxBlobBytes);
}

// --- PostgreSQL (several nodes: a per-organisation advisory lock serialises quota checks) ---

/**
 * Taken, inside the transaction, by every write checked against a quota of `org`, after any row
 * locks it needs (so no cycle with them): two nodes cannot both see room for one more.
 */
export async function lockOrgQuota(client: PoolClient, org: string): Promise<void> {
  await client.query("SELECT pg_advisory_xact_lock(hashtext('pmsg_org_quota'), hashtext($1))", [
    org,
  ]);
}

export async function postgresOrgQuota(client: PoolClient, org: string): Promise<OrgQuota> {
  const row = (
    await client.query<QuotaRow>(
      'SELECT max_devices, max_queued_envelopes, max_queued_bytes, max_blob_bytes FROM org_quotas WHERE org = $1',
      [org],
    )
  ).rows[0];
  return quotaFromRow(row);
}

export async function postgresOrgUsage(
  client: PoolClient,
  org: string,
  now: number,
): Promise<OrgUsage> {
  const row = (
    await client.query<{ n: string; bytes: string; devices: string; blob_bytes: string }>(
      `SELECT
         (SELECT COUNT(*) FROM envelopes WHERE device_pk IN
            (SELECT d.device_pk FROM devices d JOIN accounts a USING (account_id) WHERE a.org = $1)) AS n,
         (SELECT COALESCE(SUM(octet_length(content)), 0) FROM envelopes WHERE device_pk IN
            (SELECT d.device_pk FROM devices d JOIN accounts a USING (account_id) WHERE a.org = $1)) AS bytes,
         (SELECT COUNT(*) FROM devices d JOIN accounts a USING (account_id)
           WHERE a.org = $1 AND d.status = 'active') AS devices,
         (SELECT COALESCE(SUM(size), 0) FROM blob_usage WHERE org = $1 AND expires_at > $2) AS blob_bytes`,
      [org, now],
    )
  ).rows[0]!;
  return {
    devices: Number(row.devices),
    queuedEnvelopes: Number(row.n),
    queuedBytes: Number(row.bytes),
    blobBytes: Number(row.blob_bytes),
  };
}

export async function postgresSetOrgQuota(
  client: PoolClient,
  org: string,
  quota: OrgQuota,
): Promise<void> {
  await client.query(
    `INSERT INTO org_quotas (org, max_devices, max_queued_envelopes, max_queued_bytes, max_blob_bytes)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (org) DO UPDATE SET max_devices = excluded.max_devices,
       max_queued_envelopes = excluded.max_queued_envelopes,
       max_queued_bytes = excluded.max_queued_bytes, max_blob_bytes = excluded.max_blob_bytes`,
    [org, quota.maxDevices, quota.maxQueuedEnvelopes, quota.maxQueuedBytes, quota.maxBlobBytes],
  );
}

// --- Blob sizes counted against the organisation's blob quota ---

interface Reservation {
  blobId: string;
  org: string;
  size: number;
  expiresAt: number;
  now: number;
}

/** SQLite: reserve inside the caller's immediate transaction. */
export function sqliteReserveBlob(db: Database, input: Reservation): QuotaBreach | null {
  prepared(db, 'DELETE FROM blob_usage WHERE org = ? AND expires_at <= ?').run(
    input.org,
    input.now,
  );
  const quota = sqliteOrgQuota(db, input.org);
  if (quota.maxBlobBytes !== null) {
    const over = breach(quota, sqliteOrgUsage(db, input.org, input.now), { blobBytes: input.size });
    if (over) return over;
  }
  prepared(db, 'INSERT INTO blob_usage (blob_id, org, size, expires_at) VALUES (?, ?, ?, ?)').run(
    input.blobId,
    input.org,
    input.size,
    input.expiresAt,
  );
  return null;
}

/** PostgreSQL: reserve inside the caller's transaction, under the organisation's quota lock. */
export async function postgresReserveBlob(
  client: PoolClient,
  input: Reservation,
): Promise<QuotaBreach | null> {
  await client.query('DELETE FROM blob_usage WHERE org = $1 AND expires_at <= $2', [
    input.org,
    input.now,
  ]);
  const quota = await postgresOrgQuota(client, input.org);
  if (quota.maxBlobBytes !== null) {
    await lockOrgQuota(client, input.org);
    const usage = await postgresOrgUsage(client, input.org, input.now);
    const over = breach(quota, usage, { blobBytes: input.size });
    if (over) return over;
  }
  await client.query(
    'INSERT INTO blob_usage (blob_id, org, size, expires_at) VALUES ($1, $2, $3, $4)',
    [input.blobId, input.org, input.size, input.expiresAt],
  );
  return null;
}
