import type { Database } from 'better-sqlite3-multiple-ciphers';
import { patientKeyRoles } from '../../shared/protocol/index.js';
import {
  patientKeyDeviceKey,
  patientKeyUploadRefusal,
  type PatientKeyHolder,
  type PatientKeyStoreResult,
  type PatientKeyUpload,
  type StoredPatientKeys,
} from './patient-key-rules.js';
import { prepared } from './prepared.js';
import { listAuditReaders } from './sqlite-audit.js';

/**
 * The practice's patient-reference key in SQLite (docs/protocol.md §13.1): opaque copies sealed
 * to each key-holding device, one per version. One row per version names who made it, so two
 * devices making version 1 at once cannot both win.
 */

export const sqlitePatientKeyMigration = `
  CREATE TABLE patient_key_versions (
    org TEXT NOT NULL,
    version INTEGER NOT NULL,
    account_id TEXT NOT NULL,
    device_id INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (org, version)
  ) STRICT;
  CREATE TABLE patient_key_envelopes (
    org TEXT NOT NULL,
    version INTEGER NOT NULL,
    account_id TEXT NOT NULL,
    device_id INTEGER NOT NULL,
    sealed BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (org, account_id, device_id, version)
  ) STRICT;
`;

function latestVersion(db: Database, org: string): number {
  const row = prepared(
    db,
    'SELECT MAX(version) AS latest FROM patient_key_versions WHERE org = ?',
  ).get(org) as { latest: number | null };
  return row.latest ?? 0;
}

export function sqlitePatientKeys(
  db: Database,
  org: string,
  accountId: string,
  deviceId: number,
): StoredPatientKeys {
  const rows = prepared(
    db,
    `SELECT version, sealed FROM patient_key_envelopes
      WHERE org = ? AND account_id = ? AND device_id = ? ORDER BY version`,
  ).all(org, accountId, deviceId) as { version: number; sealed: Buffer }[];
  return { latest: latestVersion(db, org), envelopes: rows };
}

export function sqlitePatientKeyHolders(db: Database, org: string): PatientKeyHolder[] {
  const held = new Map<string, number[]>();
  const rows = prepared(
    db,
    'SELECT account_id, device_id, version FROM patient_key_envelopes WHERE org = ? ORDER BY version',
  ).all(org) as { account_id: string; device_id: number; version: number }[];
  for (const r of rows) {
    const key = patientKeyDeviceKey(r.account_id, r.device_id);
    held.set(key, [...(held.get(key) ?? []), r.version]);
  }
  return listAuditReaders(db, org, patientKeyRoles).map((d) => ({
    ...d,
    versions: held.get(patientKeyDeviceKey(d.accountId, d.deviceId)) ?? [],
  }));
}

/** Call inside an immediate transaction. */
export function sqliteStorePatientKeys(
  db: Database,
  upload: PatientKeyUpload,
): PatientKeyStoreResult {
  const latest = latestVersion(db, upload.org);
  const own = sqlitePatientKeys(db, upload.org, upload.accountId, upload.deviceId);
  const holders = new Set(
    listAuditReaders(db, upload.org, patientKeyRoles).map((d) =>
      patientKeyDeviceKey(d.accountId, d.deviceId),
    ),
  );
  const refusal = patientKeyUploadRefusal(upload, {
    latest,
    callerVersions: own.envelopes.map((e) => e.version),
    holders,
  });
  if (refusal) return { ok: false, refusal };
  if (upload.version === latest + 1) {
    prepared(
      db,
      `INSERT INTO patient_key_versions (org, version, account_id, device_id, created_at)
       VALUES (?, ?, ?, ?, ?)`,
    ).run(upload.org, upload.version, upload.accountId, upload.deviceId, upload.now);
  }
  const insert = prepared(
    db,
    `INSERT OR IGNORE INTO patient_key_envelopes
       (org, version, account_id, device_id, sealed, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
  );
  let stored = 0;
  for (const e of upload.envelopes) {
    stored += insert.run(
      upload.org,
      upload.version,
      e.accountId,
      e.deviceId,
      Buffer.from(e.sealed),
      upload.now,
    ).changes;
  }
  return { ok: true, stored, latest: Math.max(latest, upload.version) };
}
