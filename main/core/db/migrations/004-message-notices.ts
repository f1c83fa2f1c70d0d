import type { Migration } from '../migration.js';

/**
 * A message row may be a notice this device wrote into the conversation itself (for example
 * that a message from the peer could not be decrypted and was given up on), rather than text
 * someone sent: it is never sent, and the view marks it as a notice, not as the peer's words.
 */
export const migration004MessageNotices: Migration = {
  id: 4,
  name: 'message-notices',
  up(db) {
    db.exec(`
      ALTER TABLE messages ADD COLUMN kind TEXT NOT NULL DEFAULT 'text'
        CHECK (kind IN ('text', 'notice'));
    `);
  },
};
