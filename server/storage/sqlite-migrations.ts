import { sqlitePatientKeyMigration } from './sqlite-patient-keys.js';
import type { Database } from 'better-sqlite3-multiple-ciphers';
import { sqliteLinkMigration } from '../links/link-migrations.js';
import { migration002ProfessionalIds } from './sqlite-migration-002-professional-ids.js';
import { auditMigration } from './sqlite-audit.js';
import { sqliteRoleMigration, roleAlertCoveredMigration } from '../roles/role-migrations.js';
import { orgQuotaMigration } from './org-quota.js';

/**
 * Numbered migrations, run once each, in a transaction. A shipped migration is never
 * edited: add a new one. `user_version` records how many have run.
 */
export const migrations: readonly string[] = [
  `
  CREATE TABLE accounts (
    account_id TEXT PRIMARY KEY,
    org TEXT NOT NULL,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'active', 'revoked')),
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
  ) STRICT;
  CREATE INDEX accounts_by_org ON accounts (org, status);

  CREATE TABLE devices (
    device_pk INTEGER PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (account_id),
    device_id INTEGER NOT NULL,
    name TEXT,
    registration_id INTEGER NOT NULL,
    identity_key BLOB NOT NULL,
    token_hash BLOB NOT NULL UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('active', 'revoked')),
    wipe INTEGER NOT NULL DEFAULT 0,
    wipe_delivered_at INTEGER,
    signed_pre_key_id INTEGER NOT NULL,
    signed_pre_key BLOB NOT NULL,
    signed_pre_key_signature BLOB NOT NULL,
    kyber_last_resort_id INTEGER NOT NULL,
    kyber_last_resort BLOB NOT NULL,
    kyber_last_resort_signature BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER,
    revoked_at INTEGER,
    UNIQUE (account_id, device_id)
  ) STRICT;

  CREATE TABLE pre_keys (
    device_pk INTEGER NOT NULL REFERENCES devices (device_pk),
    key_id INTEGER NOT NULL,
    public_key BLOB NOT NULL,
    PRIMARY KEY (device_pk, key_id)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE kyber_pre_keys (
    device_pk INTEGER NOT NULL REFERENCES devices (device_pk),
    key_id INTEGER NOT NULL,
    public_key BLOB NOT NULL,
    signature BLOB NOT NULL,
    PRIMARY KEY (device_pk, key_id)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE enrolment_codes (
    code_hash BLOB PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (account_id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER,
    used_by_device_pk INTEGER
  ) STRICT;

  -- AUTOINCREMENT so that an id is never reused after its envelope is acked and deleted: a
  -- delivery cursor or a late ack then can never point at a different envelope.
  CREATE TABLE envelopes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    device_pk INTEGER NOT NULL,
    sender_account_id TEXT NOT NULL,
    sender_device_id INTEGER NOT NULL,
    client_message_id TEXT NOT NULL,
    type INTEGER NOT NULL,
    content BLOB NOT NULL,
    client_timestamp INTEGER,
    server_timestamp INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX envelopes_queue ON envelopes (device_pk, id);

  -- Outlives the envelope, so a retry after delivery is still recognised as a duplicate.
  CREATE TABLE sent_log (
    sender_device_pk INTEGER NOT NULL,
    client_message_id TEXT NOT NULL,
    recipient_device_pk INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (sender_device_pk, client_message_id, recipient_device_pk)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX sent_log_by_age ON sent_log (created_at);

  -- Written by whichever process revokes (the admin CLI or the server), polled by the server so
  -- that it closes the revoked device's socket at once.
  CREATE TABLE revocations (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    device_pk INTEGER NOT NULL,
    created_at INTEGER NOT NULL
  ) STRICT;
  `,
  migration002ProfessionalIds,
  // 3: each sender's share of a device's queue is counted on every send.
  `CREATE INDEX envelopes_by_sender ON envelopes (device_pk, sender_account_id);`,
  // 4: the practice audit trail (docs/protocol.md §13).
  auditMigration,
  // Duty roles, their holders and held escalation copies (docs/protocol.md §14).
  sqliteRoleMigration,
  // Who has each message to a role, for re-sealed escalation copies (§14).
  roleAlertCoveredMigration,
  // The practice's patient-reference key, sealed per device (docs/protocol.md §13.1).
  sqlitePatientKeyMigration,
  // Per-organisation quotas and the blob sizes counted against them (docs/protocol.md §1.4).
  orgQuotaMigration,
  // Link codes of a person adding a PC (docs/protocol.md §2b).
  sqliteLinkMigration,
  // Which of the person's own devices removed a device, told to it with its wipe (§2a).
  `ALTER TABLE devices ADD COLUMN removed_by_device_id INTEGER;
   ALTER TABLE devices ADD COLUMN removed_by_device_name TEXT;`,
];

export function migrate(db: Database): void {
  // One immediate transaction that re-reads the version inside it: the server and the admin CLI
  // may open a fresh data directory at the same moment.
  db.transaction(() => {
    const current = db.pragma('user_version', { simple: true }) as number;
    for (let index = current; index < migrations.length; index += 1) {
      db.exec(migrations[index] ?? '');
    }
    if (current < migrations.length) db.pragma(`user_version = ${migrations.length}`);
  }).immediate();
}
