import { createPrivateKey, generateKeyPairSync, sign } from 'node:crypto';
import type { Database } from 'better-sqlite3-multiple-ciphers';
import { auditChainGenesis, type RelayAuditKind } from '../../shared/protocol/index.js';
import {
  AuditChainCheck,
  auditRecordHash,
  type AuditRow,
  type AuditVerification,
} from './audit-chain.js';
import { prepared } from './prepared.js';
import type { AuditReadRange } from './relay-storage.js';

export type { AuditRow, AuditVerification };

/**
 * The practice audit trail in SQLite (docs/protocol.md §13): one hash chain per organisation,
 * append-only. Each record's hash is SHA-256(prevHash ‖ SHA-256(payload) ‖ metadata), so a
 * deleted, altered or reordered row breaks the chain at that row. Retention removes the oldest
 * records and moves the organisation's anchor (the last removed record's seq and hash) with them.
 */

export const auditMigration = `
  CREATE TABLE audit_trail (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    org TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('device', 'relay')),
    account_id TEXT NOT NULL,
    device_id INTEGER NOT NULL,
    client_record_id TEXT,
    created_at INTEGER NOT NULL,
    payload BLOB NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    signature BLOB
  ) STRICT;
  CREATE INDEX audit_trail_by_org ON audit_trail (org, seq);
  CREATE UNIQUE INDEX audit_trail_client_ids ON audit_trail (account_id, device_id, client_record_id)
    WHERE client_record_id IS NOT NULL;
  CREATE TABLE audit_anchors (
    org TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL
  ) STRICT;
  CREATE TABLE relay_signing_key (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    private_key BLOB NOT NULL,
    public_key BLOB NOT NULL
  ) STRICT;
`;

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

export function auditAnchor(db: Database, org: string): { seq: number; hash: string } {
  const row = prepared(db, 'SELECT seq, hash FROM audit_anchors WHERE org = ?').get(org) as
    { seq: number; hash: string } | undefined;
  return row ?? { seq: 0, hash: auditChainGenesis };
}

function headHash(db: Database, org: string): string {
  const row = prepared(
    db,
    'SELECT hash FROM audit_trail WHERE org = ? ORDER BY seq DESC LIMIT 1',
  ).get(org) as { hash: string } | undefined;
  return row?.hash ?? auditAnchor(db, org).hash;
}

/** Call inside an immediate transaction, so that two appends cannot both chain to one head. */
function appendRow(
  db: Database,
  input: {
    org: string;
    source: 'device' | 'relay';
    accountId: string;
    deviceId: number;
    clientRecordId: string | null;
    createdAt: number;
    payload: Uint8Array;
  },
): number {
  const prevHash = headHash(db, input.org);
  const next = prepared(
    db,
    "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'audit_trail'), 0) + 1 AS seq",
  ).get() as { seq: number };
  const seq = next.seq;
  const hash = auditRecordHash(prevHash, input.payload, { ...input, seq });
  const signature =
    input.source === 'relay'
      ? sign(null, Buffer.from(hash, 'hex'), signingKey(db).privateKey)
      : null;
  prepared(
    db,
    `INSERT INTO audit_trail (seq, org, source, account_id, device_id, client_record_id,
       created_at, payload, prev_hash, hash, signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    seq,
    input.org,
    input.source,
    input.accountId,
    input.deviceId,
    input.clientRecordId,
    input.createdAt,
    input.payload,
    prevHash,
    hash,
    signature,
  );
  return seq;
}

/** Appends a device's sealed records; a clientRecordId already stored is reported, not stored. */
export function appendDeviceRecords(
  db: Database,
  input: {
    org: string;
    accountId: string;
    deviceId: number;
    records: readonly { clientRecordId: string; sealed: Uint8Array }[];
    now: number;
  },
): { appended: number[]; duplicates: string[] } {
  const appended: number[] = [];
  const duplicates: string[] = [];
  for (const record of input.records) {
    const existing = prepared(
      db,
      'SELECT seq FROM audit_trail WHERE account_id = ? AND device_id = ? AND client_record_id = ?',
    ).get(input.accountId, input.deviceId, record.clientRecordId);
    if (existing) {
      duplicates.push(record.clientRecordId);
      continue;
    }
    appended.push(
      appendRow(db, {
        org: input.org,
        source: 'device',
        accountId: input.accountId,
        deviceId: input.deviceId,
        clientRecordId: record.clientRecordId,
        createdAt: input.now,
        payload: record.sealed,
      }),
    );
  }
  return { appended, duplicates };
}

/** A relay record: metadata the relay knows anyway, as plaintext JSON, signed by the relay. */
export function appendRelayRecord(
  db: Database,
  input: {
    kind: RelayAuditKind;
    accountId: string;
    deviceId: number;
    now: number;
    details?: Record<string, string | number | boolean>;
  },
): number | null {
  const account = prepared(
    db,
    'SELECT org, display_name, role FROM accounts WHERE account_id = ?',
  ).get(input.accountId) as { org: string; display_name: string; role: string } | undefined;
  if (!account) return null;
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
  return appendRow(db, {
    org: account.org,
    source: 'relay',
    accountId: input.accountId,
    deviceId: input.deviceId,
    clientRecordId: null,
    createdAt: input.now,
    payload,
  });
}

export function readAuditRecords(db: Database, org: string, range: AuditReadRange): AuditRow[] {
  const { afterSeq, beforeSeq, limit } = range;
  if (beforeSeq === null) {
    return (
      prepared(db, 'SELECT * FROM audit_trail WHERE org = ? AND seq > ? ORDER BY seq LIMIT ?').all(
        org,
        afterSeq,
        limit,
      ) as RawRow[]
    ).map(toRow);
  }
  // The newest `limit` below beforeSeq, handed back oldest first so a page checks forward.
  return (
    prepared(
      db,
      'SELECT * FROM audit_trail WHERE org = ? AND seq > ? AND seq < ? ORDER BY seq DESC LIMIT ?',
    ).all(org, afterSeq, beforeSeq, limit) as RawRow[]
  )
    .reverse()
    .map(toRow);
}

/**
 * Recomputes the organisation's chain from its anchor, relay records' signatures included; the
 * first record that does not fit breaks it.
 */
export function verifyAuditChain(db: Database, org: string): AuditVerification {
  const check = new AuditChainCheck(auditAnchor(db, org), relayPublicKey(db));
  const rows = prepared(db, 'SELECT * FROM audit_trail WHERE org = ? ORDER BY seq').iterate(
    org,
  ) as IterableIterator<RawRow>;
  for (const raw of rows) {
    if (!check.next(toRow(raw))) break;
  }
  return check.result();
}

/** Organisations with an audit chain (records or an anchor), for a relay-wide check. */
export function auditOrgs(db: Database): string[] {
  return (
    prepared(
      db,
      'SELECT org FROM audit_trail UNION SELECT org FROM audit_anchors ORDER BY 1',
    ).all() as { org: string }[]
  ).map((r) => r.org);
}

/** The relay's signing public key without making one (verification only reads). */
function relayPublicKey(db: Database): Uint8Array | null {
  const row = prepared(db, 'SELECT public_key FROM relay_signing_key WHERE id = 1').get() as
    { public_key: Buffer } | undefined;
  return row?.public_key ?? null;
}

/** Removes records older than the cutoff, moving each organisation's anchor past them. */
export function pruneAuditRecords(db: Database, olderThan: number): number {
  let removed = 0;
  const orgs = prepared(db, 'SELECT DISTINCT org FROM audit_trail WHERE created_at < ?').all(
    olderThan,
  ) as { org: string }[];
  for (const { org } of orgs) {
    // Only a prefix of the chain may go, so the rest still links to the anchor.
    const last = prepared(
      db,
      `SELECT seq, hash FROM audit_trail WHERE org = ? AND seq < COALESCE(
         (SELECT MIN(seq) FROM audit_trail WHERE org = ? AND created_at >= ?), 9e18)
       ORDER BY seq DESC LIMIT 1`,
    ).get(org, org, olderThan) as { seq: number; hash: string } | undefined;
    if (!last) continue;
    removed += prepared(db, 'DELETE FROM audit_trail WHERE org = ? AND seq <= ?').run(
      org,
      last.seq,
    ).changes;
    prepared(
      db,
      `INSERT INTO audit_anchors (org, seq, hash) VALUES (?, ?, ?)
         ON CONFLICT (org) DO UPDATE SET seq = excluded.seq, hash = excluded.hash`,
    ).run(org, last.seq, last.hash);
  }
  return removed;
}

/** The relay's Ed25519 key for its own records, made on first use. */
export function signingKey(db: Database): {
  privateKey: ReturnType<typeof createPrivateKey>;
  publicKey: Buffer;
} {
  let row = prepared(
    db,
    'SELECT private_key, public_key FROM relay_signing_key WHERE id = 1',
  ).get() as { private_key: Buffer; public_key: Buffer } | undefined;
  if (!row) {
    const pair = generateKeyPairSync('ed25519');
    row = {
      private_key: pair.privateKey.export({ format: 'der', type: 'pkcs8' }),
      public_key: pair.publicKey.export({ format: 'der', type: 'spki' }),
    };
    prepared(
      db,
      'INSERT OR IGNORE INTO relay_signing_key (id, private_key, public_key) VALUES (1, ?, ?)',
    ).run(row.private_key, row.public_key);
  }
  return {
    privateKey: createPrivateKey({ key: row.private_key, format: 'der', type: 'pkcs8' }),
    publicKey: row.public_key,
  };
}

/** Active devices of the organisation's active audit readers (manager, admin). */
export function listAuditReaders(
  db: Database,
  org: string,
  roles: readonly string[],
): { accountId: string; deviceId: number; identityKey: Uint8Array }[] {
  const rows = prepared(
    db,
    `SELECT a.account_id, a.role, d.device_id, d.identity_key
       FROM accounts a JOIN devices d USING (account_id)
       WHERE a.org = ? AND a.status = 'active' AND d.status = 'active'
       ORDER BY a.account_id, d.device_id`,
  ).all(org) as { account_id: string; role: string; device_id: number; identity_key: Buffer }[];
  return rows
    .filter((r) => roles.includes(r.role))
    .map((r) => ({ accountId: r.account_id, deviceId: r.device_id, identityKey: r.identity_key }));
}
