import type { Migration } from '../migration.js';

/**
 * Full-text search over message text: an FTS5 index inside this SQLCipher database, with
 * external content (the text stays only in `messages`; the index holds terms and positions).
 * Not contentless_delete: its deletions leave the terms in the pages until a merge, where
 * 'secure-delete' on an external-content index removes them at once (the test of deleted text
 * in tests/main/core/db/message-search.test.ts fails with contentless_delete).
 *
 * The index covers exactly the messages whose rowid is at most
 * message_search_progress.indexed_up_to. A new profile's pass finishes at once; an existing
 * profile's messages are indexed by MessageSearchIndexer in small slices after unlock, so the
 * first unlock does not wait for it, and search looks at the not-yet-indexed rest with LIKE.
 * When the pass finishes, indexed_up_to becomes the largest integer and the triggers index every
 * new message as it is stored.
 *
 * Deleted text must not survive in the index: every DELETE or UPDATE of an indexed message
 * removes its terms (retention, delete-for-everyone, transcription, conversation removal all
 * delete rows), and FTS5 'secure-delete' removes them
 * from the index b-tree at once rather than leaving them in older segments until a merge;
 * PRAGMA secure_delete then zeroes freed pages.
 */
export const migration012MessageSearchIndex: Migration = {
  id: 12,
  name: 'message-search-index',
  up(db) {
    db.exec(`
      CREATE VIRTUAL TABLE message_search USING fts5(
        body,
        content = 'messages',
        content_rowid = 'rowid',
        tokenize = 'unicode61 remove_diacritics 2'
      );
      INSERT INTO message_search (message_search, rank) VALUES ('secure-delete', 1);

      CREATE TABLE message_search_progress (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        indexed_up_to INTEGER NOT NULL
      ) STRICT;
      INSERT INTO message_search_progress (id, indexed_up_to) VALUES (1, 0);

      CREATE TRIGGER message_search_insert AFTER INSERT ON messages
      WHEN new.rowid <= (SELECT indexed_up_to FROM message_search_progress)
      BEGIN
        INSERT INTO message_search (rowid, body) VALUES (new.rowid, new.body);
      END;

      CREATE TRIGGER message_search_delete AFTER DELETE ON messages
      WHEN old.rowid <= (SELECT indexed_up_to FROM message_search_progress)
      BEGIN
        INSERT INTO message_search (message_search, rowid, body)
          VALUES ('delete', old.rowid, old.body);
      END;

      CREATE TRIGGER message_search_update AFTER UPDATE OF body ON messages
      WHEN old.rowid <= (SELECT indexed_up_to FROM message_search_progress)
      BEGIN
        INSERT INTO message_search (message_search, rowid, body)
          VALUES ('delete', old.rowid, old.body);
        INSERT INTO message_search (rowid, body) VALUES (new.rowid, new.body);
      END;
    `);
  },
};
