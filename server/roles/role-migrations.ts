/**
 * The duty-role tables (docs/protocol.md §14), one migration per backend, appended to
 * sqlite-migrations.ts and postgres-migrations.ts. Roles and who holds them are metadata the
 * relay routes on; a held escalation copy is ciphertext it cannot read, kept only until the
 * message is acknowledged or the copy is released.
 */
export const sqliteRoleMigration = `
  CREATE TABLE duty_roles (
    role_id TEXT PRIMARY KEY,
    org TEXT NOT NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    escalate_after_ms INTEGER,
    escalate_to_role_id TEXT,
    created_at INTEGER NOT NULL,
    UNIQUE (org, name_key)
  ) STRICT;
  CREATE TABLE duty_holders (
    role_id TEXT NOT NULL,
    account_id TEXT NOT NULL,
    since INTEGER NOT NULL,
    PRIMARY KEY (role_id, account_id)
  ) STRICT, WITHOUT ROWID;
  CREATE TABLE role_alerts (
    alert_id TEXT PRIMARY KEY,
    org TEXT NOT NULL,
    role_id TEXT NOT NULL,
    sender_account_id TEXT NOT NULL,
    sender_device_id INTEGER NOT NULL,
    token_hash BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    escalate_at INTEGER,
    escalate_to_role_id TEXT,
    escalate_to_name TEXT,
    acknowledged_by TEXT,
    acknowledged_at INTEGER,
    escalated_at INTEGER
  ) STRICT;
  CREATE INDEX role_alerts_due ON role_alerts (escalate_at)
    WHERE escalated_at IS NULL AND acknowledged_at IS NULL;
  CREATE TABLE role_alert_copies (
    alert_id TEXT NOT NULL,
    account_id TEXT NOT NULL,
    device_id INTEGER NOT NULL,
    registration_id INTEGER NOT NULL,
    client_message_id TEXT NOT NULL,
    type INTEGER NOT NULL,
    content BLOB NOT NULL,
    PRIMARY KEY (alert_id, account_id, device_id)
  ) STRICT, WITHOUT ROWID;
  -- An imported rota: each shift starts and ends duty by itself (started/ended once applied).
  CREATE TABLE duty_rota (
    shift_id INTEGER PRIMARY KEY AUTOINCREMENT,
    org TEXT NOT NULL,
    role_id TEXT NOT NULL,
    account_id TEXT NOT NULL,
    starts_at INTEGER NOT NULL,
    ends_at INTEGER NOT NULL,
    started INTEGER NOT NULL DEFAULT 0,
    ended INTEGER NOT NULL DEFAULT 0
  ) STRICT;
  CREATE INDEX duty_rota_open ON duty_rota (starts_at, ends_at) WHERE ended = 0;
`;

export const postgresRoleMigration = `
  CREATE TABLE duty_roles (
    role_id TEXT PRIMARY KEY,
    org TEXT NOT NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    escalate_after_ms BIGINT,
    escalate_to_role_id TEXT,
    created_at BIGINT NOT NULL,
    UNIQUE (org, name_key)
  );
  CREATE TABLE duty_holders (
    role_id TEXT NOT NULL,
    account_id TEXT NOT NULL,
    since BIGINT NOT NULL,
    PRIMARY KEY (role_id, account_id)
  );
  CREATE TABLE role_alerts (
    alert_id TEXT PRIMARY KEY,
    org TEXT NOT NULL,
    role_id TEXT NOT NULL,
    sender_account_id TEXT NOT NULL,
    sender_device_id INTEGER NOT NULL,
    token_hash BYTEA NOT NULL,
    created_at BIGINT NOT NULL,
    escalate_at BIGINT,
    escalate_to_role_id TEXT,
    escalate_to_name TEXT,
    acknowledged_by TEXT,
    acknowledged_at BIGINT,
    escalated_at BIGINT
  );
  CREATE INDEX role_alerts_due ON role_alerts (escalate_at)
    WHERE escalated_at IS NULL AND acknowledged_at IS NULL;
  CREATE TABLE role_alert_copies (
    alert_id TEXT NOT NULL,
    account_id TEXT NOT NULL,
    device_id INTEGER NOT NULL,
    registration_id INTEGER NOT NULL,
    client_message_id TEXT NOT NULL,
    type INTEGER NOT NULL,
    content BYTEA NOT NULL,
    PRIMARY KEY (alert_id, account_id, device_id)
  );
  CREATE TABLE duty_rota (
    shift_id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org TEXT NOT NULL,
    role_id TEXT NOT NULL,
    account_id TEXT NOT NULL,
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    started INTEGER NOT NULL DEFAULT 0,
    ended INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX duty_rota_open ON duty_rota (starts_at, ends_at) WHERE ended = 0;
`;

/**
 * Who already has each message to a role (the holders it was sent to, the accounts of its held
 * copies, those it was re-sealed to since), so a re-sealed copy for an escalation holder who came
 * on duty after it was sent goes to each account at most once, across relay nodes.
 */
export const roleAlertCoveredMigration = `
  CREATE TABLE role_alert_covered (
    alert_id TEXT NOT NULL,
    account_id TEXT NOT NULL,
    PRIMARY KEY (alert_id, account_id)
  );
`;
