import type { Migration } from '../migration.js';

/**
 * Messages to duty roles (issue 15; slot 013 once the branches of this round are merged): which
 * role a message was addressed to or reached, and the acknowledgement alert it belongs to. An
 * alert is one message to a role, fanned out to each holder's direct conversation, so several
 * messages share one alert. The acknowledgement token lives only here (SQLCipher) and inside the
 * end-to-end encrypted message. Rows go with their message (triggers), so retention and
 * delete-for-everyone need not know about roles.
 */
export const migration011RoleMessages: Migration = {
  id: 11,
  name: 'role-messages',
  up(db) {
    db.exec(`
      CREATE TABLE role_alerts (
        alert_id TEXT PRIMARY KEY,
        direction TEXT NOT NULL CHECK (direction IN ('outgoing', 'incoming')),
        ack_token BLOB NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('waiting', 'acknowledged', 'escalated')),
        escalate_at INTEGER,
        escalate_to_name TEXT,
        acknowledged_by TEXT,
        acknowledged_at INTEGER,
        escalated_at INTEGER,
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX role_alerts_waiting ON role_alerts (direction) WHERE state = 'waiting';
      CREATE TABLE role_messages (
        message_id TEXT PRIMARY KEY,
        role_id TEXT NOT NULL,
        role_name TEXT NOT NULL,
        escalated_from TEXT,
        alert_id TEXT
      ) STRICT;
      CREATE INDEX role_messages_by_alert ON role_messages (alert_id) WHERE alert_id IS NOT NULL;
      CREATE TRIGGER role_messages_follow_messages AFTER DELETE ON messages BEGIN
        DELETE FROM role_messages WHERE message_id = OLD.id;
      END;
      CREATE TRIGGER role_alerts_follow_messages AFTER DELETE ON role_messages
        WHEN OLD.alert_id IS NOT NULL BEGIN
        DELETE FROM role_alerts WHERE alert_id = OLD.alert_id
          AND NOT EXISTS (SELECT 1 FROM role_messages WHERE alert_id = OLD.alert_id);
      END;
    `);
  },
};
