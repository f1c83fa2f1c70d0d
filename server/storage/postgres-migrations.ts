import { postgresPatientKeyMigration } from './postgres-patient-keys.js';
import type { ClientBase, PoolClient } from 'pg';
import { postgresAuditMigration } from './postgres-audit.js';
import { postgresRoleMigration, roleAlertCoveredMigration } from '../roles/role-migrations.js';
import { orgQuotaMigration } from './org-quota.js';
import { postgresEnqueueFunction } from './postgres-enqueue-function.js';
import { postgresLinkMigration } from '../links/link-migrations.js';
import { postgresBlobMigration } from '../blobs/postgres-blob-store.js';

/**
 * Numbered migrations of the PostgreSQL backend, run once each, in order, in one transaction. A
 * shipped migration is never edited: add a new one. `relay_schema.version` records how many ran.
 * The schema is the SQLite one (sqlite-migrations.ts) in PostgreSQL types; times are epoch ms.
 */
export const postgresMigrations: readonly string[] = [
  `
  CREATE TABLE accounts (
    account_id TEXT PRIMARY KEY,
    org TEXT NOT NULL,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'active', 'revoked')),
    created_at BIGINT NOT NULL,
    revoked_at BIGINT,
    gmc_number TEXT,
    nmc_pin TEXT,
    sds_user_id TEXT
  );
  CREATE INDEX accounts_by_org ON accounts (org, status);

  CREATE TABLE devices (
    device_pk INTEGER GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (account_id),
    device_id INTEGER NOT NULL,
    name TEXT,
    registration_id INTEGER NOT NULL,
    identity_key BYTEA NOT NULL,
    token_hash BYTEA NOT NULL UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('active', 'revoked')),
    wipe BOOLEAN NOT NULL DEFAULT FALSE,
    wipe_delivered_at BIGINT,
    signed_pre_key_id INTEGER NOT NULL,
    signed_pre_key BYTEA NOT NULL,
    signed_pre_key_signature BYTEA NOT NULL,
    kyber_last_resort_id INTEGER NOT NULL,
    kyber_last_resort BYTEA NOT NULL,
    kyber_last_resort_signature BYTEA NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT,
    revoked_at BIGINT,
    UNIQUE (account_id, device_id)
  );

  CREATE TABLE pre_keys (
    device_pk INTEGER NOT NULL REFERENCES devices (device_pk),
    key_id INTEGER NOT NULL,
    public_key BYTEA NOT NULL,
    PRIMARY KEY (device_pk, key_id)
  );

  CREATE TABLE kyber_pre_keys (
    device_pk INTEGER NOT NULL REFERENCES devices (device_pk),
    key_id INTEGER NOT NULL,
    public_key BYTEA NOT NULL,
    signature BYTEA NOT NULL,
    PRIMARY KEY (device_pk, key_id)
  );

  CREATE TABLE enrolment_codes (
    code_hash BYTEA PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (account_id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    used_by_device_pk INTEGER
  );

  -- An identity is never reused (as AUTOINCREMENT in SQLite): a delivery cursor or a late ack
  -- can never point at a different envelope. Ids of one device rise in commit order because
  -- every enqueue locks the recipient's device rows before it takes ids (postgres-enqueue.ts).
  CREATE TABLE envelopes (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    device_pk INTEGER NOT NULL,
    sender_account_id TEXT NOT NULL,
    sender_device_id INTEGER NOT NULL,
    client_message_id TEXT NOT NULL,
    type INTEGER NOT NULL,
    content BYTEA NOT NULL,
    client_timestamp BIGINT,
    server_timestamp BIGINT NOT NULL
  );
  CREATE INDEX envelopes_queue ON envelopes (device_pk, id);
  CREATE INDEX envelopes_by_sender ON envelopes (device_pk, sender_account_id);

  -- Outlives the envelope, so a retry after delivery is still recognised as a duplicate.
  CREATE TABLE sent_log (
    sender_device_pk INTEGER NOT NULL,
    client_message_id TEXT NOT NULL,
    recipient_device_pk INTEGER NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (sender_device_pk, client_message_id, recipient_device_pk)
  );
  CREATE INDEX sent_log_by_age ON sent_log (created_at);

  -- Written by whichever process revokes (an admin command or any relay node); every node is
  -- told at once by NOTIFY and reads from its last seq.
  CREATE TABLE revocations (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    device_pk INTEGER NOT NULL,
    created_at BIGINT NOT NULL
  );

  -- Orders device connections across nodes: the newest socket of a device wins everywhere.
  CREATE SEQUENCE connection_seq;
  `,
  // 2: the practice audit trail (docs/protocol.md §13).
  postgresAuditMigration,
  // 3: duty roles, their holders and held escalation copies (docs/protocol.md §14).
  postgresRoleMigration,
  // 4: who has each message to a role, for re-sealed escalation copies (§14).
  roleAlertCoveredMigration,
  // 5: the practice's patient-reference key, sealed per device (docs/protocol.md §13.1).
  postgresPatientKeyMigration,
  // 6: per-organisation quotas and the blob sizes counted against them (docs/protocol.md §1.4).
  orgQuotaMigration,
  // 7: the send path as one server-side function (one round trip a send).
  postgresEnqueueFunction,
  // 8: link codes of a person adding a PC (docs/protocol.md §2b).
  postgresLinkMigration,
  // 9: attachment ciphertext in the database, so every node serves every blob.
  postgresBlobMigration,
  // 10: which of the person's own devices removed a device, told to it with its wipe (§2a).
  `ALTER TABLE devices ADD COLUMN removed_by_device_id INTEGER;
   ALTER TABLE devices ADD COLUMN removed_by_device_name TEXT;`,
];

/** Serialises migrations of nodes starting together (an arbitrary constant of this schema). */
const migrationLock = 0x706d7367;

export async function currentSchemaVersion(client: ClientBase): Promise<number | null> {
  const table = await client.query<{ exists: boolean }>(
    "SELECT to_regclass('relay_schema') IS NOT NULL AS exists",
  );
  if (!table.rows[0]?.exists) return null;
  const row = await client.query<{ version: number }>('SELECT version FROM relay_schema');
  return row.rows[0]?.version ?? 0;
}

export async function migratePostgres(client: PoolClient): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [migrationLock]);
    await client.query('CREATE TABLE IF NOT EXISTS relay_schema (version INTEGER NOT NULL)');
    const current = (await currentSchemaVersion(client)) ?? 0;
    if (current > postgresMigrations.length) {
      throw new Error(
        `The relay database has schema version ${current}, newer than this relay knows (${postgresMigrations.length}). Upgrade the relay.`,
      );
    }
    for (let index = current; index < postgresMigrations.length; index += 1) {
      await client.query(postgresMigrations[index] ?? '');
    }
    await client.query('DELETE FROM relay_schema');
    await client.query('INSERT INTO relay_schema (version) VALUES ($1)', [
      Math.max(current, postgresMigrations.length),
    ]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
