import type { Migration } from '../migration.js';

/**
 * Group conversations (docs/security.md, "Groups"). The group's conversation has the group id as
 * its id. Every signed state this device has seen is kept (accepted ones decide the current
 * state; pending ones wait for the state they change), the sender keys this device gave out and
 * to which devices, whose sender keys belong to which group, the group sends waiting for the relay,
 * and who has received and read each message sent to a group ("read by 3 of 5").
 *
 * Slot 11 of the issue plan; numbered 9 on the groups branch until the migrations of the issues
 * before it land (the merge renumbers).
 */
export const migration010Groups: Migration = {
  id: 10,
  name: 'groups',
  up(db) {
    db.exec(`
      CREATE TABLE group_states (
        hash TEXT PRIMARY KEY,
        group_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        parent_hash TEXT,
        signed TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('accepted', 'pending')),
        received_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX group_states_by_group ON group_states (group_id, status, version);
      CREATE INDEX group_states_by_parent ON group_states (parent_hash) WHERE status = 'pending';
      CREATE TABLE groups (
        group_id TEXT PRIMARY KEY,
        head_hash TEXT NOT NULL,
        -- This device's current sender key for the group; replaced when a member is removed.
        distribution_id TEXT NOT NULL,
        -- Set when this account was removed or left: nothing more is sent to the group.
        left_at INTEGER
      ) STRICT;
      CREATE TABLE group_key_shares (
        distribution_id TEXT NOT NULL,
        account_id TEXT NOT NULL,
        device_id INTEGER NOT NULL,
        PRIMARY KEY (distribution_id, account_id, device_id)
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE group_sender_keys (
        distribution_id TEXT NOT NULL,
        account_id TEXT NOT NULL,
        device_id INTEGER NOT NULL,
        group_id TEXT NOT NULL,
        PRIMARY KEY (distribution_id, account_id, device_id)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX group_sender_keys_by_group ON group_sender_keys (group_id);
      CREATE TABLE group_outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        group_id TEXT NOT NULL,
        message_id TEXT,
        payload BLOB NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        last_error TEXT,
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX group_outbox_due ON group_outbox (next_attempt_at, id);
      CREATE TABLE group_message_recipients (
        message_id TEXT NOT NULL,
        account_id TEXT NOT NULL,
        delivered_at INTEGER,
        read_at INTEGER,
        PRIMARY KEY (message_id, account_id)
      ) STRICT, WITHOUT ROWID;
    `);
  },
};
