import { createPrivateKey, generateKeyPairSync, sign } from 'node:crypto';
import type pg from 'pg';
import type { PoolClient } from 'pg';
import { auditChainGenesis } from '../../shared/protocol/index.js';
import {
  AuditChainCheck,
  auditRecordHash,
  type AuditRow,
  type AuditVerification,
} from './audit-chain.js';
import type { AuditAppendInput, AuditReadRange, RelayAuditInput } from './relay-storage.js';

/**
 * The practice audit trail in PostgreSQL (docs/protocol.md §13), the counterpart of
 * sqlite-audit.ts. Several relay nodes append at once, so every write to an organisation's chain
 * first takes that organisation's transaction-scoped advisory lock: the head it chains to cannot
 * move before it commits, and seqs (taken under the lock) rise in commit order within the org.
 * Writers run inside a transaction opened by their caller.
 */

export const postgresAuditMigration = `
  CREATE SEQUENCE audit_seq;
  CREATE TABLE audit_trail (
    seq BIGINT PRIMARY KEY,
    org TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('device', 'relay')),
    account_id TEXT NOT NULL,
    device_id INTEGER NOT NULL,
    client_record_id TEXT,
    created_at BIGINT NOT NULL,
    payload BYTEA NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    signature BYTEA
  );
  CREATE INDEX audit_trail_by_org ON audit_trail (org, seq);
  CREATE UNIQUE INDEX audit_trail_client_ids ON audit_trail (account_id, device_id, client_record_id)
    WHERE client_record_id IS NOT NULL;
  CREATE TABLE audit_anchors (
    org TEXT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
  );
  CREATE TABLE relay_signing_key (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    private_key BYTEA NOT NULL,
    public_key BYTEA NOT NULL
  );
`;

/** The first key of the two-key advisory lock that serialises one organisation's chain. */
const auditLockClass = 0x706d7361;

/** Waits for the organisation's chain lock, held until the transaction ends. */
export async function lockAuditChain(client: PoolClient, org: string): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [auditLockClass, org]);
}

interface RawRow {
  seq: number;
  source: 'device' | 'relay';
  account_id: string;
  device_id: number;
  created_at: number;
  payload: Buffer;
  prev_hash: string;
  hash: string;
  signature: Buffer | null;
}
const toRow = (r: RawRow): AuditRow => ({
  seq: r.seq,
  source: r.source,
  accountId: r.account_id,
  deviceId: r.device_id,
  createdAt: r.created_at,
  payload: r.payload,
  prevHash: r.prev_hash,
  hash: r.hash,
  signature: r.signature,
});

type Queryable = Pick<pg.Pool, 'query'> | PoolClient;

export async function auditAnchorPostgres(
  db: Queryable,
  org: string,
): Promise<{ seq: number; hash: string }> {
  const row = (
    await db.query<{ seq: number; hash: string }>(
      'SELECT seq, hash FROM audit_anchors WHERE org = $1',
      [org],
    )
  ).rows[0];
  return row ?? { seq: 0, hash: auditChainGenesis };
}

interface NewRecord {
  source: 'device' | 'relay';
  accountId: string;
  deviceId: number;
  clientRecordId: string | null;
  createdAt: number;
  payload: Uint8Array;
}

/**
 * Chains records after the organisation's head, in order, in one INSERT. Call with the
 * organisation's chain lock held: seqs are taken under it, so they rise in commit order.
 */
async function appendRows(
  client: PoolClient,
  org: string,
  records: readonly NewRecord[],
): Promise<number[]> {
  if (records.length === 0) return [];
  const head = (
    await client.query<{ hash: string }>(
      'SELECT hash FROM audit_trail WHERE org = $1 ORDER BY seq DESC LIMIT 1',
      [org],
    )
  ).rows[0];
  let prevHash = head?.hash ?? (await auditAnchorPostgres(client, org)).hash;
  const seqs = (
    await client.query<{ seq: number }>(
      "SELECT nextval('audit_seq') AS seq FROM generate_series(1, $1)",
      [records.length],
    )
  ).rows
    .map((r) => r.seq)
    .sort((a, b) => a - b);
  const key = records.some((r) => r.source === 'relay')
    ? (await signingKeyPostgres(client)).privateKey
    : null;
  const values: unknown[] = [];
  const rows: string[] = [];
  records.forEach((record, index) => {
    const seq = seqs[index]!;
    const hash = auditRecordHash(prevHash, record.payload, { ...record, seq });
    const signature =
      record.source === 'relay' && key ? sign(null, Buffer.from(hash, 'hex'), key) : null;
    const at = values.length;
    rows.push(`(${Array.from({ length: 11 }, (_, i) => `$${at + i + 1}`).join(', ')})`);
    values.push(
      seq,
      org,
      record.source,
      record.accountId,
      record.deviceId,
      record.clientRecordId,
      record.createdAt,
      Buffer.from(record.payload),
      prevHash,
      hash,
      signature,
    );
    prevHash = hash;
  });
  await client.query(
    `INSERT INTO audit_trail (seq, org, source, account_id, device_id, client_record_id,
       created_at, payload, prev_hash, hash, signature) VALUES ${rows.join(', ')}`,
    values,
  );
  return seqs;
}

/** Appends a device's sealed records; a clientRecordId already stored is reported, not stored. */
export async function appendDeviceRecordsPostgres(
  client: PoolClient,
  input: AuditAppendInput,
): Promise<{ appended: number[]; duplicates: string[] }> {
  await lockAuditChain(client, input.org);
  // Under the chain lock, so a retry racing its original on another node is still seen.
  const stored = await client.query<{ client_record_id: string }>(
    `SELECT client_record_id FROM audit_trail
      WHERE account_id = $1 AND device_id = $2 AND client_record_id = ANY($3::text[])`,
    [input.accountId, input.deviceId, input.records.map((r) => r.clientRecordId)],
  );
  const seen = new Set(stored.rows.map((r) => r.client_record_id));
  const duplicates: string[] = [];
  const fresh: NewRecord[] = [];
  for (const record of input.records) {
    if (seen.has(record.clientRecordId)) {
      duplicates.push(record.clientRecordId);
      continue;
    }
    seen.add(record.clientRecordId);
    fresh.push({
      source: 'device',
      accountId: input.accountId,
      deviceId: input.deviceId,
      clientRecordId: record.clientRecordId,
      createdAt: input.now,
      payload: record.sealed,
    });
  }
  return { appended: await appendRows(client, input.org, fresh), duplicates };
}

/** A relay record: metadata the relay knows anyway, as plaintext JSON, signed by the relay. */
export async function appendRelayRecordPostgres(
  client: PoolClient,
  input: RelayAuditInput,
): Promise<number | null> {
  const account = (
    await client.query<{ org: string; display_name: string; role: string }>(
      'SELECT org, display_name, role FROM accounts WHERE account_id = $1',
      [input.accountId],
    )
  ).rows[0];
  if (!account) return null;
  await lockAuditChain(client, account.org);
  const payload = Buffer.from(
    JSON.stringify({
      kind: input.kind,
      at: input.now,
      accountId: input.accountId,
      deviceId: input.deviceId,
      displayName: account.display_name,
      role: account.role,
      ...(input.details ?? {}),
    }),
  );
  const [seq] = await appendRows(client, account.org, [
    {
      source: 'relay',
      accountId: input.accountId,
      deviceId: input.deviceId,
      clientRecordId: null,
      createdAt: input.now,
      payload,
    },
  ]);
  return seq ?? null;
}

export async function readAuditRecordsPostgres(
  db: Queryable,
  org: string,
  range: AuditReadRange,
): Promise<AuditRow[]> {
  const { afterSeq, beforeSeq, limit } = range;
  if (beforeSeq === null) {
    const rows = await db.query<RawRow>(
      `SELECT seq, source, account_id, device_id, created_at, payload, prev_hash, hash, signature
         FROM audit_trail WHERE org = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
      [org, afterSeq, limit],
    );
    return rows.rows.map(toRow);
  }
  // The newest `limit` below beforeSeq, handed back oldest first so a page checks forward.
  const rows = await db.query<RawRow>(
    `SELECT seq, source, account_id, device_id, created_at, payload, prev_hash, hash, signature
       FROM audit_trail WHERE org = $1 AND seq > $2 AND seq < $3 ORDER BY seq DESC LIMIT $4`,
    [org, afterSeq, beforeSeq, limit],
  );
  return rows.rows.reverse().map(toRow);
}

/**
 * Recomputes the organisation's chain from its anchor, relay records' signatures included, a
 * page at a time so that years of records never sit in memory at once.
 */
export async function verifyAuditChainPostgres(
  db: Queryable,
  org: string,
): Promise<AuditVerification> {
  const key = (
    await db.query<{ public_key: Buffer }>('SELECT public_key FROM relay_signing_key WHERE id = 1')
  ).rows[0];
  const check = new AuditChainCheck(await auditAnchorPostgres(db, org), key?.public_key ?? null);
  // The first page starts below any seq, so that a row put back at or below the anchor shows.
  for (let after = -Infinity; ;) {
    const page = await db.query<RawRow>(
      `SELECT seq, source, account_id, device_id, created_at, payload, prev_hash, hash, signature
         FROM audit_trail WHERE org = $1 AND ($2::bigint IS NULL OR seq > $2)
        ORDER BY seq LIMIT 1000`,
      [org, Number.isFinite(after) ? after : null],
    );
    for (const raw of page.rows) if (!check.next(toRow(raw))) return check.result();
    if (page.rows.length < 1000) return check.result();
    after = page.rows[page.rows.length - 1]!.seq;
  }
}

export async function auditOrgsPostgres(db: Queryable): Promise<string[]> {
  const rows = await db.query<{ org: string }>(
    'SELECT org FROM audit_trail UNION SELECT org FROM audit_anchors ORDER BY 1',
  );
  return rows.rows.map((r) => r.org);
}

/** Removes records older than the cutoff, moving each organisation's anchor past them. */
export async function pruneAuditRecordsPostgres(
  client: PoolClient,
  olderThan: number,
): Promise<number> {
  let removed = 0;
  const orgs = await client.query<{ org: string }>(
    'SELECT DISTINCT org FROM audit_trail WHERE created_at < $1',
    [olderThan],
  );
  for (const { org } of orgs.rows) {
    await lockAuditChain(client, org);
    // Only a prefix of the chain may go, so the rest still links to the anchor.
    const last = (
      await client.query<{ seq: number; hash: string }>(
        `SELECT seq, hash FROM audit_trail WHERE org = $1 AND seq < COALESCE(
           (SELECT MIN(seq) FROM audit_trail WHERE org = $1 AND created_at >= $2),
           9223372036854775807)
         ORDER BY seq DESC LIMIT 1`,
        [org, olderThan],
      )
    ).rows[0];
    if (!last) continue;
    removed +=
      (await client.query('DELETE FROM audit_trail WHERE org = $1 AND seq <= $2', [org, last.seq]))
        .rowCount ?? 0;
    await client.query(
      `INSERT INTO audit_anchors (org, seq, hash) VALUES ($1, $2, $3)
         ON CONFLICT (org) DO UPDATE SET seq = excluded.seq, hash = excluded.hash`,
      [org, last.seq, last.hash],
    );
  }
  return removed;
}

/** The relay's Ed25519 key for its own records, made on first use by whichever node needs it. */
export async function signingKeyPostgres(client: Queryable): Promise<{
  privateKey: ReturnType<typeof createPrivateKey>;
  publicKey: Buffer;
}> {
  const select = 'SELECT private_key, public_key FROM relay_signing_key WHERE id = 1';
  let row = (await client.query<{ private_key: Buffer; public_key: Buffer }>(select)).rows[0];
  if (!row) {
    const pair = generateKeyPairSync('ed25519');
    // Two nodes may race here: the first insert wins and both use the stored key.
    await client.query(
      `INSERT INTO relay_signing_key (id, private_key, public_key) VALUES (1, $1, $2)
         ON CONFLICT (id) DO NOTHING`,
      [
        pair.privateKey.export({ format: 'der', type: 'pkcs8' }),
        pair.publicKey.export({ format: 'der', type: 'spki' }),
      ],
    );
    row = (await client.query<{ private_key: Buffer; public_key: Buffer }>(select)).rows[0]!;
  }
  return {
    privateKey: createPrivateKey({ key: row.private_key, format: 'der', type: 'pkcs8' }),
    publicKey: row.public_key,
  };
}

/** Active devices of the organisation's active audit readers (manager, admin). */
export async function listAuditReadersPostgres(
  db: Queryable,
  org: string,
  roles: readonly string[],
): Promise<{ accountId: string; deviceId: number; identityKey: Uint8Array }[]> {
  const rows = await db.query<{ account_id: string; device_id: number; identity_key: Buffer }>(
    `SELECT a.account_id, d.device_id, d.identity_key
       FROM accounts a JOIN devices d USING (account_id)
      WHERE a.org = $1 AND a.status = 'active' AND d.status = 'active' AND a.role = ANY($2::text[])
      ORDER BY a.account_id COLLATE "C", d.device_id`,
    [org, [...roles]],
  );
  return rows.rows.map((r) => ({
    accountId: r.account_id,
    deviceId: r.device_id,
    identityKey: r.identity_key,
  }));
}
