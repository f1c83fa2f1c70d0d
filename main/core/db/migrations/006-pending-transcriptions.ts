import type { Migration } from '../migration.js';

/**
 * Safe deletion after transcription. A confirmed transcription waits a short undo window before
 * its deletion goes out; the wait is kept here so that closing the app during the window neither
 * loses the deletion nor sends it twice (it goes out at the next unlock). Messages also remember
 * who marked them "no record needed", so clinicians' advice that was never transcribed can be
 * listed before retention deletes it.
 */
export const migration006PendingTranscriptions: Migration = {
  id: 6,
  name: 'pending-transcriptions',
  up(db) {
    db.exec(`
      CREATE TABLE pending_transcriptions (
        audit_id INTEGER PRIMARY KEY,
        conversation_id TEXT NOT NULL,
        message_ids TEXT NOT NULL,
        transcribed_by TEXT NOT NULL,
        transcribed_at INTEGER NOT NULL,
        delete_at INTEGER,
        due_at INTEGER NOT NULL
      ) STRICT;
      ALTER TABLE messages ADD COLUMN no_record_needed_at INTEGER;
      ALTER TABLE messages ADD COLUMN no_record_needed_by TEXT;
    `);
  },
};
