import type { Migration } from '../migration.js';

/**
 * Receipts that reached this PC before the message they are about (issue 13): the person sent it
 * from another of their PCs and its sync copy is still on the way. Kept until the copy arrives
 * (then applied and deleted) or for a week. Only message ids, statuses and the peer's id.
 */
export const migration015EarlyReceipts: Migration = {
  id: 15,
  name: 'early-receipts',
  up(db) {
    db.exec(`
      CREATE TABLE early_receipts (
        message_id TEXT NOT NULL,
        from_account_id TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('delivered', 'read')),
        received_at INTEGER NOT NULL,
        PRIMARY KEY (message_id, from_account_id)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX early_receipts_by_age ON early_receipts (received_at);
    `);
  },
};
