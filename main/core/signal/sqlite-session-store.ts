import { SessionRecord, SessionStore, type ProtocolAddress } from '@signalapp/libsignal-client';
import type { SqlDatabase } from '../db/encrypted-database.js';

/** Double-ratchet session state per remote device. */
export class SqliteSessionStore extends SessionStore {
  private readonly statements;

  constructor(
    db: SqlDatabase,
    private readonly now: () => number = Date.now,
  ) {
    super();
    this.statements = {
      get: db.prepare('SELECT record FROM sessions WHERE account_id = ? AND device_id = ?').pluck(),
      save: db.prepare(`INSERT INTO sessions (account_id, device_id, record, updated_at)
          VALUES (?, ?, ?, ?) ON CONFLICT (account_id, device_id)
          DO UPDATE SET record = excluded.record, updated_at = excluded.updated_at`),
      devices: db
        .prepare('SELECT device_id FROM sessions WHERE account_id = ? ORDER BY device_id')
        .pluck(),
      delete: db.prepare('DELETE FROM sessions WHERE account_id = ? AND device_id = ?'),
      deleteAll: db.prepare('DELETE FROM sessions WHERE account_id = ?'),
      // Outbox rows hold ciphertext sealed when they were queued (migration 016); sealed with a
      // session that is gone, it is encrypted again at send time instead.
      unseal: db.prepare(
        'UPDATE outbox SET envelopes = NULL WHERE recipient_account_id = ? AND envelopes IS NOT NULL',
      ),
    };
  }

  override async saveSession(name: ProtocolAddress, record: SessionRecord): Promise<void> {
    this.statements.save.run(
      name.name(),
      name.deviceId(),
      Buffer.from(record.serialize()),
      this.now(),
    );
  }

  override async getSession(name: ProtocolAddress): Promise<SessionRecord | null> {
    const bytes = this.statements.get.get(name.name(), name.deviceId()) as
      Uint8Array<ArrayBuffer> | undefined;
    return bytes ? SessionRecord.deserialize(bytes) : null;
  }

  override async getExistingSessions(addresses: ProtocolAddress[]): Promise<SessionRecord[]> {
    return Promise.all(
      addresses.map(async (address) => {
        const record = await this.getSession(address);
        if (!record) throw new Error(`No session for ${address.name()}.${address.deviceId()}`);
        return record;
      }),
    );
  }

  /** Devices of this account we hold a session with (for fan-out and stale-device handling). */
  deviceIds(accountId: string): number[] {
    return this.statements.devices.all(accountId) as number[];
  }

  deleteSession(accountId: string, deviceId: number): void {
    this.statements.delete.run(accountId, deviceId);
    this.statements.unseal.run(accountId);
  }

  deleteAllSessions(accountId: string): void {
    this.statements.deleteAll.run(accountId);
    this.statements.unseal.run(accountId);
  }
}
