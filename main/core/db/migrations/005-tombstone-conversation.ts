import type { Migration } from '../migration.js';

/**
 * An emptied conversation should say where its messages went after the next unlock too, not
 * "No messages yet": tombstones now record the conversation and why the message was deleted
 * (never what it said). The index answers "how many, and why" per conversation without reading
 * the table. Tombstones written before this migration have neither and are not counted: their
 * messages are gone, so their conversation cannot be found again.
 */
export const migration005TombstoneConversation: Migration = {
  id: 5,
  name: 'tombstone-conversation',
  up(db) {
    db.exec(`
      ALTER TABLE message_tombstones ADD COLUMN conversation_id TEXT;
      ALTER TABLE message_tombstones ADD COLUMN reason TEXT
        CHECK (reason IN ('transcribed', 'sender', 'expired'));
      CREATE INDEX message_tombstones_by_conversation
        ON message_tombstones (conversation_id, reason) WHERE conversation_id IS NOT NULL;
    `);
  },
};
