import type { Migration } from '../migration.js';

/**
 * Each conversation's count of unread incoming messages, kept in step by triggers (issue 18).
 * The conversation list counted them
 * through the messages_unread index on every call: with 100,000 messages, two thirds unread,
 * that read 66,000 index entries, and on the first list after unlock (a cold page cache) it was
 * most of the gap between unlocking a full profile and an empty one. Inserts, read marks and
 * deletions (retention, delete-for-everyone, a conversation's cascade) all go through the
 * triggers, so no code path has to remember the counter.
 */
/** Counts every conversation's unread messages from the rows (an upgraded profile's start). */
export const countUnreadFromRows = `UPDATE conversations SET unread_count = (SELECT count(*)
  FROM messages m WHERE m.conversation_id = conversations.id AND m.direction = 'incoming'
    AND m.read_at IS NULL)`;

export const migration014UnreadCounts: Migration = {
  id: 14,
  name: 'unread-counts',
  up(db) {
    db.exec(`
      ALTER TABLE conversations ADD COLUMN unread_count INTEGER NOT NULL DEFAULT 0;
      ${countUnreadFromRows};

      CREATE TRIGGER conversation_unread_insert AFTER INSERT ON messages
      WHEN new.direction = 'incoming' AND new.read_at IS NULL
      BEGIN
        UPDATE conversations SET unread_count = unread_count + 1 WHERE id = new.conversation_id;
      END;

      CREATE TRIGGER conversation_unread_delete AFTER DELETE ON messages
      WHEN old.direction = 'incoming' AND old.read_at IS NULL
      BEGIN
        UPDATE conversations SET unread_count = unread_count - 1 WHERE id = old.conversation_id;
      END;

      CREATE TRIGGER conversation_unread_update
      AFTER UPDATE OF read_at, direction, conversation_id ON messages
      WHEN (old.direction = 'incoming' AND old.read_at IS NULL)
        OR (new.direction = 'incoming' AND new.read_at IS NULL)
      BEGIN
        UPDATE conversations SET unread_count = unread_count - 1
          WHERE id = old.conversation_id AND old.direction = 'incoming' AND old.read_at IS NULL;
        UPDATE conversations SET unread_count = unread_count + 1
          WHERE id = new.conversation_id AND new.direction = 'incoming' AND new.read_at IS NULL;
      END;
    `);
  },
};
