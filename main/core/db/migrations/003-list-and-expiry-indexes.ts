import type { Migration } from '../migration.js';

/**
 * Indexes for the two reads that touched every message of a 100,000-message profile on unlock.
 * The conversation list's "urgent unread" flag read the table row of every unread message (the
 * unread index cannot tell urgent ones apart); its own partial index answers it from a handful of
 * entries. Retention's catch-up on unlock looked for messages stored without an expiry by
 * scanning the table; with expiries computed at insert there are almost none, and this partial
 * index finds them without the scan.
 */
export const migration003ListAndExpiryIndexes: Migration = {
  id: 3,
  name: 'list-and-expiry-indexes',
  up(db) {
    db.exec(`
      CREATE INDEX messages_urgent_unread ON messages (conversation_id)
        WHERE direction = 'incoming' AND read_at IS NULL AND urgent = 1;
      CREATE INDEX messages_without_expiry ON messages (conversation_id)
        WHERE expires_at IS NULL;
    `);
  },
};
