import type pg from 'pg';
import type { PoolClient } from 'pg';
import { patientKeyRoles } from '../../shared/protocol/index.js';
import {
  patientKeyDeviceKey,
  patientKeyUploadRefusal,
  type PatientKeyHolder,
  type PatientKeyStoreResult,
  type PatientKeyUpload,
  type StoredPatientKeys,
} from './patient-key-rules.js';
import { listAuditReadersPostgres } from './postgres-audit.js';

/**
 * The practice's patient-reference key in PostgreSQL (docs/protocol.md §13.1), the counterpart
 * of sqlite-patient-keys.ts. Uploads take the organisation's key lock, so two nodes deciding on
 * one new version at once see each other's row.
 */

export const postgresPatientKeyMigration = `
  CREATE TABLE patient_key_versions (
    org TEXT NOT NULL,
    version INTEGER NOT NULL,
    account_id TEXT NOT NULL,
    device_id INTEGER NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (org, version)
  );
  CREATE TABLE patient_key_envelopes (
    org TEXT NOT NULL,
    version INTEGER NOT NULL,
    account_id TEXT NOT NULL,
    device_id INTEGER NOT NULL,
    sealed BYTEA NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (org, account_id, device_id, version)
  );
`;

type Queryable = Pick<pg.Pool, 'query'> | PoolClient;

/** The first key of the advisory lock that serialises one organisation's key versions. */
const patientKeyLockClass = 0x706d736b;

async function latestVersion(db: Queryable, org: string): Promise<number> {
  const row = await db.query<{ latest: number | null }>(
    'SELECT MAX(version) AS latest FROM patient_key_versions WHERE org = $1',
    [org],
  );
  return row.rows[0]?.latest ?? 0;
}

export async function postgresPatientKeys(
  db: Queryable,
  org: string,
  accountId: string,
  deviceId: number,
): Promise<StoredPatientKeys> {
  const rows = await db.query<{ version: number; sealed: Buffer }>(
    `SELECT version, sealed FROM patient_key_envelopes
      WHERE org = $1 AND account_id = $2 AND device_id = $3 ORDER BY version`,
    [org, accountId, deviceId],
  );
  return { latest: await latestVersion(db, org), envelopes: rows.rows };
}

export async function postgresPatientKeyHolders(
  db: Queryable,
  org: string,
): Promise<PatientKeyHolder[]> {
  const held = new Map<string, number[]>();
  const rows = await db.query<{ account_id: string; device_id: number; version: number }>(
    'SELECT account_id, device_id, version FROM patient_key_envelopes WHERE org = $1 ORDER BY version',
    [org],
  );
  for (const r of rows.rows) {
    const key = patientKeyDeviceKey(r.account_id, r.device_id);
    held.set(key, [...(held.get(key) ?? []), r.version]);
  }
  return (await listAuditReadersPostgres(db, org, patientKeyRoles)).map((d) => ({
    ...d,
    versions: held.get(patientKeyDeviceKey(d.accountId, d.deviceId)) ?? [],
  }));
}

/** Call inside a transaction. */
export async function postgresStorePatientKeys(
  client: PoolClient,
  upload: PatientKeyUpload,
): Promise<PatientKeyStoreResult> {
  await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [
    patientKeyLockClass,
    upload.org,
  ]);
  const own = await postgresPatientKeys(client, upload.org, upload.accountId, upload.deviceId);
  const holders = new Set(
    (await listAuditReadersPostgres(client, upload.org, patientKeyRoles)).map((d) =>
      patientKeyDeviceKey(d.accountId, d.deviceId),
    ),
  );
  const refusal = patientKeyUploadRefusal(upload, {
    latest: own.latest,
    callerVersions: own.envelopes.map((e) => e.version),
    holders,
  });
  if (refusal) return { ok: false, refusal };
  if (upload.version === own.latest + 1) {
    await client.query(
      `INSERT INTO patient_key_versions (org, version, account_id, device_id, created_at)
       VALUES ($1, $2, $3, $4, $5)`,
      [upload.org, upload.version, upload.accountId, upload.deviceId, upload.now],
    );
  }
  let stored = 0;
  for (const e of upload.envelopes) {
    const result = await client.query(
      `INSERT INTO patient_key_envelopes
         (org, version, account_id, device_id, sealed, created_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT DO NOTHING`,
      [upload.org, upload.version, e.accountId, e.deviceId, Buffer.from(e.sealed), upload.now],
    );
    stored += result.rowCount ?? 0;
  }
  return { ok: true, stored, latest: Math.max(own.latest, upload.version) };
}
