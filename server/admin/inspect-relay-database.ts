/**
 * A read-only look at a relay database file (the live one or a backup): SQLite's integrity
 * check, the schema version and what it holds, in counts only (never names, codes or tokens).
 */
import Database from 'better-sqlite3-multiple-ciphers';
import { migrate } from '../storage/sqlite-migrations.js';

/** The schema version this relay writes: that of a database it has just created. */
function currentSchemaVersion(): number {
  const db = new Database(':memory:');
  try {
    migrate(db);
    return db.pragma('user_version', { simple: true }) as number;
  } finally {
    db.close();
  }
}

export interface RelayDatabaseReport {
  /** "ok", or SQLite's first complaint. */
  integrity: string;
  schemaVersion: number;
  accounts: number;
  devices: number;
  queuedEnvelopes: number;
  pendingCodes: number;
}

export function inspectRelayDatabase(file: string): RelayDatabaseReport {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const count = (sql: string) => (db.prepare(sql).pluck().get() as number | undefined) ?? 0;
    const integrity = String(db.pragma('integrity_check', { simple: true }));
    const schemaVersion = db.pragma('user_version', { simple: true }) as number;
    if (schemaVersion === 0) {
      return {
        integrity,
        schemaVersion,
        accounts: 0,
        devices: 0,
        queuedEnvelopes: 0,
        pendingCodes: 0,
      };
    }
    return {
      integrity,
      schemaVersion,
      accounts: count('SELECT count(*) FROM accounts'),
      devices: count('SELECT count(*) FROM devices'),
      queuedEnvelopes: count('SELECT count(*) FROM envelopes'),
      pendingCodes: count('SELECT count(*) FROM enrolment_codes WHERE used_at IS NULL'),
    };
  } finally {
    db.close();
  }
}

/** Why this file cannot be a relay database, or null when it can. */
export function relayDatabaseProblem(report: RelayDatabaseReport): string | null {
  if (report.integrity !== 'ok') return `SQLite's integrity check failed: ${report.integrity}`;
  if (report.schemaVersion === 0) return 'it holds no relay tables (schema version 0)';
  const current = currentSchemaVersion();
  if (report.schemaVersion > current) {
    return `its schema version ${report.schemaVersion} is newer than this relay's (${current}); upgrade the relay first`;
  }
  return null;
}
