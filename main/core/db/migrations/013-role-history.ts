import type { Migration } from '../migration.js';

/**
 * The history of a role conversation (issue 15): which fan-out copies belong to one send to a role (`send_id`), who already has
 * each send (the holders it went to, and new holders it was shared with later), on a message
 * received as history, who it was first sent to, and on an escalation copy re-sealed by a
 * colleague's device, who first sent it. Rows go with their messages (triggers), so
 * retention and deletion need not know about them.
 */
export const migration013RoleHistory: Migration = {
  id: 13,
  name: 'role-history',
  up(db) {
    db.exec(`
      ALTER TABLE role_messages ADD COLUMN send_id TEXT;
      ALTER TABLE role_messages ADD COLUMN history_to TEXT;
      ALTER TABLE role_messages ADD COLUMN first_sender TEXT;
      CREATE INDEX role_messages_by_send ON role_messages (send_id) WHERE send_id IS NOT NULL;
      CREATE TABLE role_send_recipients (
        send_id TEXT NOT NULL,
        account_id TEXT NOT NULL,
        PRIMARY KEY (send_id, account_id)
      ) STRICT, WITHOUT ROWID;
      CREATE TRIGGER role_send_recipients_follow_messages AFTER DELETE ON role_messages
        WHEN OLD.send_id IS NOT NULL BEGIN
        DELETE FROM role_send_recipients WHERE send_id = OLD.send_id
          AND NOT EXISTS (SELECT 1 FROM role_messages WHERE send_id = OLD.send_id);
      END;
    `);
  },
};
