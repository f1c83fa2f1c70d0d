import type { Migration } from '../migration.js';

/**
 * Issue 18: a message is encrypted in the same transaction that stores it and queues it, and the
 * ciphertext (the per-device envelopes of PUT /v1/messages, as JSON) waits in its outbox row, so
 * the outbox sends it without a transaction of its own. NULL: encrypt at send time, as before
 * (receipts, controls, rows of older versions, or no session yet when it was queued).
 */
export const migration016OutboxSealedEnvelopes: Migration = {
  id: 16,
  name: 'outbox-sealed-envelopes',
  up(db) {
    db.exec(`ALTER TABLE outbox ADD COLUMN envelopes TEXT;`);
  },
};
