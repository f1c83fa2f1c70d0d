import type { Migration } from '../migration.js';

/**
 * One person may work on several PCs, and every device has its own identity key: remote
 * identities are kept per (account, device), so a colleague's new device is a new row (a
 * notice), and only a replaced key of a device already known is a change that blocks sending.
 * The per-account keys of older versions are carried over to every device we held a session
 * with (device 1 when none), the only devices those keys can have belonged to.
 */
export const migration009DeviceIdentities: Migration = {
  id: 9,
  name: 'device-identities',
  up(db) {
    db.exec(`
      CREATE TABLE remote_device_identities (
        account_id TEXT NOT NULL,
        device_id INTEGER NOT NULL,
        identity_key BLOB NOT NULL,
        trust TEXT NOT NULL CHECK (trust IN ('first_use', 'acknowledged', 'verified', 'changed')),
        first_seen_at INTEGER NOT NULL,
        changed_at INTEGER,
        -- The device left the account: its key no longer counts, but the person stays known,
        -- so their next device is announced as added rather than trusted silently.
        removed_at INTEGER,
        PRIMARY KEY (account_id, device_id)
      ) STRICT;

      INSERT INTO remote_device_identities
          (account_id, device_id, identity_key, trust, first_seen_at, changed_at)
        SELECT r.account_id, s.device_id, r.identity_key, r.trust, r.first_seen_at, r.changed_at
          FROM remote_identities r JOIN sessions s USING (account_id);
      INSERT INTO remote_device_identities
          (account_id, device_id, identity_key, trust, first_seen_at, changed_at)
        SELECT account_id, 1, identity_key, trust, first_seen_at, changed_at
          FROM remote_identities r
          WHERE NOT EXISTS (SELECT 1 FROM sessions s WHERE s.account_id = r.account_id);

      DROP TABLE remote_identities;
    `);
  },
};
