/**
 * Link codes of a person adding a PC themselves (docs/protocol.md §2b), appended to
 * sqlite-migrations.ts and postgres-migrations.ts. The relay keeps only the SHA-256 of the
 * code's lookup, never the code; a request holds the new PC's public keys until it is decided.
 */
export const sqliteLinkMigration = `
  CREATE TABLE device_links (
    link_hash BLOB PRIMARY KEY,
    account_id TEXT NOT NULL,
    created_by_device_id INTEGER NOT NULL,
    approval_required INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    state TEXT NOT NULL,
    request TEXT,
    request_token_hash BLOB,
    requested_at INTEGER,
    device_id INTEGER,
    decided_at INTEGER
  ) STRICT;
  CREATE INDEX device_links_by_creator ON device_links (account_id, created_by_device_id);
`;

export const postgresLinkMigration = `
  CREATE TABLE device_links (
    link_hash BYTEA PRIMARY KEY,
    account_id TEXT NOT NULL,
    created_by_device_id INTEGER NOT NULL,
    approval_required INTEGER NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    state TEXT NOT NULL,
    request TEXT,
    request_token_hash BYTEA,
    requested_at BIGINT,
    device_id INTEGER,
    decided_at BIGINT
  );
  CREATE INDEX device_links_by_creator ON device_links (account_id, created_by_device_id);
`;
