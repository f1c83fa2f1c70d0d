import type { Migration } from '../migration.js';

/**
 * The first schema. Times are INTEGER milliseconds since the Unix epoch (UTC). Identifiers that
 * travel between devices (message ids, conversation ids, account ids) are TEXT; libsignal
 * records are opaque BLOBs in libsignal's own serialisation.
 */
export const migration001Initial: Migration = {
  id: 1,
  name: 'initial',
  up(db) {
    db.exec(`
      -- This device's Signal identity. One row; account_id is filled in by enrolment.
      CREATE TABLE own_identity (
        singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
        account_id TEXT,
        device_id INTEGER NOT NULL CHECK (device_id BETWEEN 1 AND 127),
        registration_id INTEGER NOT NULL CHECK (registration_id BETWEEN 1 AND 16380),
        identity_key_pair BLOB NOT NULL,
        created_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE prekeys (
        id INTEGER PRIMARY KEY,
        record BLOB NOT NULL,
        created_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE signed_prekeys (
        id INTEGER PRIMARY KEY,
        record BLOB NOT NULL,
        created_at INTEGER NOT NULL
      ) STRICT;

      -- One-time Kyber prekeys are deleted when used; the last-resort one stays and its uses are
      -- remembered below so that a replayed PQXDH initiation is refused.
      CREATE TABLE kyber_prekeys (
        id INTEGER PRIMARY KEY,
        record BLOB NOT NULL,
        last_resort INTEGER NOT NULL CHECK (last_resort IN (0, 1)),
        created_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE kyber_prekey_uses (
        kyber_prekey_id INTEGER NOT NULL REFERENCES kyber_prekeys (id) ON DELETE CASCADE,
        signed_prekey_id INTEGER NOT NULL,
        base_key BLOB NOT NULL,
        used_at INTEGER NOT NULL,
        PRIMARY KEY (kyber_prekey_id, signed_prekey_id, base_key)
      ) STRICT;

      CREATE TABLE sessions (
        account_id TEXT NOT NULL,
        device_id INTEGER NOT NULL,
        record BLOB NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (account_id, device_id)
      ) STRICT;

      -- Identity keys of other people, trusted on first use. 'changed' means the key was replaced
      -- and the user has not acknowledged it yet; sending is blocked until they do.
      CREATE TABLE remote_identities (
        account_id TEXT PRIMARY KEY,
        identity_key BLOB NOT NULL,
        trust TEXT NOT NULL CHECK (trust IN ('first_use', 'acknowledged', 'verified', 'changed')),
        first_seen_at INTEGER NOT NULL,
        changed_at INTEGER
      ) STRICT;

      CREATE TABLE sender_keys (
        account_id TEXT NOT NULL,
        device_id INTEGER NOT NULL,
        distribution_id BLOB NOT NULL,
        record BLOB NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (account_id, device_id, distribution_id)
      ) STRICT;

      -- The practice directory as last seen from the relay.
      CREATE TABLE contacts (
        account_id TEXT PRIMARY KEY,
        display_name TEXT NOT NULL,
        role TEXT,
        removed INTEGER NOT NULL DEFAULT 0 CHECK (removed IN (0, 1)),
        updated_at INTEGER NOT NULL
      ) STRICT;

      -- No foreign key to contacts: a message may arrive from someone the directory has not
      -- synced yet, and a conversation outlives its peer leaving the practice.
      CREATE TABLE conversations (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('direct', 'group')),
        peer_account_id TEXT,
        title TEXT,
        created_at INTEGER NOT NULL,
        last_activity_at INTEGER NOT NULL,
        disappearing_seconds INTEGER CHECK (disappearing_seconds IS NULL OR disappearing_seconds > 0),
        identity_changed_at INTEGER,
        CHECK ((kind = 'direct') = (peer_account_id IS NOT NULL))
      ) STRICT;
      CREATE UNIQUE INDEX conversations_direct_peer ON conversations (peer_account_id)
        WHERE kind = 'direct';
      CREATE INDEX conversations_by_activity ON conversations (last_activity_at DESC);

      CREATE TABLE conversation_members (
        conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        account_id TEXT NOT NULL,
        PRIMARY KEY (conversation_id, account_id)
      ) STRICT;

      -- id is the sender-chosen message id carried inside the encrypted content: it is how a
      -- redelivered envelope is recognised as a duplicate. sent_at is the sender's clock,
      -- received_at this device's. expires_at drives retention and disappearing messages.
      CREATE TABLE messages (
        id TEXT PRIMARY KEY,
        conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        direction TEXT NOT NULL CHECK (direction IN ('outgoing', 'incoming')),
        sender_account_id TEXT NOT NULL,
        sender_device_id INTEGER,
        body TEXT NOT NULL,
        urgent INTEGER NOT NULL DEFAULT 0 CHECK (urgent IN (0, 1)),
        status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'delivered', 'read', 'failed')),
        failure_reason TEXT,
        sent_at INTEGER NOT NULL,
        received_at INTEGER,
        read_at INTEGER,
        expires_at INTEGER,
        transcribed_at INTEGER,
        transcribed_by TEXT,
        CHECK ((status = 'failed') = (failure_reason IS NOT NULL)),
        CHECK ((transcribed_at IS NULL) = (transcribed_by IS NULL))
      ) STRICT;
      CREATE INDEX messages_by_conversation_time ON messages (conversation_id, sent_at, id);
      CREATE INDEX messages_by_expiry ON messages (expires_at) WHERE expires_at IS NOT NULL;
      CREATE INDEX messages_unread ON messages (conversation_id)
        WHERE direction = 'incoming' AND read_at IS NULL;

      -- Ids of deleted messages (delete-for-everyone, transcription, retention), so that a late or
      -- redelivered copy is not stored again. Holds no content.
      CREATE TABLE message_tombstones (
        message_id TEXT PRIMARY KEY,
        deleted_at INTEGER NOT NULL
      ) STRICT;

      -- Work to deliver: one row per recipient account. payload is the plaintext content to
      -- encrypt at send time (the database is encrypted at rest); message_id links it to the
      -- message whose status it updates, or names the message a control refers to.
      CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL CHECK (kind IN ('message', 'receipt', 'control')),
        message_id TEXT,
        recipient_account_id TEXT NOT NULL,
        payload BLOB NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        last_error TEXT,
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX outbox_due ON outbox (next_attempt_at, id);
      CREATE INDEX outbox_by_message ON outbox (message_id) WHERE message_id IS NOT NULL;

      -- Who did what and when, never message text. patient_ref_hash is a keyed hash of the patient
      -- identifier, never the identifier itself.
      CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        actor_account_id TEXT,
        action TEXT NOT NULL,
        conversation_id TEXT,
        message_ids TEXT,
        patient_ref_hash TEXT,
        details TEXT
      ) STRICT;
      CREATE INDEX audit_log_by_time ON audit_log (at);

      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;
    `);
  },
};
