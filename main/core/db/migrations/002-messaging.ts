import type { Migration } from '../migration.js';

/**
 * Messaging: envelopes that could not be decrypted are kept (never lost) for a later retry, and
 * a message remembers which message it replies to.
 */
export const migration002Messaging: Migration = {
  id: 2,
  name: 'messaging',
  up(db) {
    db.exec(`
      -- relay_id is the relay's id for this device's copy; content is the ciphertext as received
      -- (it stays encrypted at rest twice: Signal inside, SQLCipher outside).
      CREATE TABLE undecryptable_envelopes (
        relay_id TEXT PRIMARY KEY,
        sender_account_id TEXT NOT NULL,
        sender_device_id INTEGER NOT NULL,
        client_message_id TEXT NOT NULL,
        type INTEGER NOT NULL,
        content BLOB NOT NULL,
        client_timestamp INTEGER,
        server_timestamp INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 1,
        last_error TEXT NOT NULL,
        received_at INTEGER NOT NULL
      ) STRICT;

      ALTER TABLE messages ADD COLUMN reply_to TEXT;
    `);
  },
};
