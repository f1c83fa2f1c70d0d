import type { Migration } from '../migration.js';

/**
 * Attachments of messages: the per-file key and what the encrypted message said of the file
 * (digest, size, type, name), the relay blob it travels in, and the transfer's progress; the
 * file itself as its AES-GCM ciphertext chunks. Both live only inside this SQLCipher database and
 * are deleted with their message (MessagesRepository.delete).
 */
export const migration008Attachments: Migration = {
  id: 8,
  name: 'attachments',
  up(db) {
    db.exec(`
      CREATE TABLE attachments (
        message_id TEXT PRIMARY KEY,
        direction TEXT NOT NULL CHECK (direction IN ('outgoing', 'incoming')),
        state TEXT NOT NULL CHECK (state IN ('uploading', 'uploaded', 'downloading', 'ready', 'failed')),
        file_key BLOB NOT NULL,
        sha256 TEXT NOT NULL,
        size INTEGER NOT NULL,
        content_type TEXT NOT NULL,
        file_name TEXT NOT NULL,
        chunk_count INTEGER NOT NULL,
        relay_id TEXT,
        failure TEXT,
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX attachments_by_state ON attachments (state);
      CREATE TABLE attachment_chunks (
        message_id TEXT NOT NULL,
        chunk_index INTEGER NOT NULL,
        ciphertext BLOB NOT NULL,
        uploaded INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (message_id, chunk_index)
      ) STRICT, WITHOUT ROWID;
    `);
  },
};
