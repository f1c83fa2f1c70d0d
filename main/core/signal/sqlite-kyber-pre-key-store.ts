import { KyberPreKeyRecord, KyberPreKeyStore, type PublicKey } from '@signalapp/libsignal-client';
import type { SqlDatabase } from '../db/encrypted-database.js';

/**
 * Kyber (ML-KEM) prekeys for PQXDH. One-time keys are deleted on use. The last-resort key is
 * reused by design, so each (signed prekey, base key) it is used with is remembered and a
 * repeat — a replayed session initiation — is refused.
 */
export class SqliteKyberPreKeyStore extends KyberPreKeyStore {
  private readonly statements;

  constructor(
    private readonly db: SqlDatabase,
    private readonly now: () => number = Date.now,
  ) {
    super();
    this.statements = {
      save: db.prepare(`INSERT INTO kyber_prekeys (id, record, last_resort, created_at)
          VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET record = excluded.record,
          last_resort = excluded.last_resort`),
      get: db.prepare('SELECT record, last_resort FROM kyber_prekeys WHERE id = ?'),
      remove: db.prepare('DELETE FROM kyber_prekeys WHERE id = ?'),
      recordUse: db.prepare(`INSERT INTO kyber_prekey_uses (kyber_prekey_id, signed_prekey_id,
          base_key, used_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`),
      countOneTime: db.prepare('SELECT count(*) FROM kyber_prekeys WHERE last_resort = 0').pluck(),
      maxId: db.prepare('SELECT max(id) FROM kyber_prekeys').pluck(),
    };
  }

  override async saveKyberPreKey(id: number, record: KyberPreKeyRecord): Promise<void> {
    this.save(id, record, false);
  }

  /** Saves the last-resort key, which is never deleted by use. */
  saveLastResortKyberPreKey(id: number, record: KyberPreKeyRecord): void {
    this.save(id, record, true);
  }

  override async getKyberPreKey(id: number): Promise<KyberPreKeyRecord> {
    const row = this.statements.get.get(id) as { record: Uint8Array<ArrayBuffer> } | undefined;
    if (!row) throw new Error(`No Kyber prekey with id ${id}`);
    return KyberPreKeyRecord.deserialize(row.record);
  }

  override async markKyberPreKeyUsed(
    id: number,
    signedPreKeyId: number,
    baseKey: PublicKey,
  ): Promise<void> {
    this.db.transaction(() => {
      const row = this.statements.get.get(id) as { last_resort: number } | undefined;
      if (!row) return;
      if (row.last_resort === 0) {
        this.statements.remove.run(id);
        return;
      }
      const fresh = this.statements.recordUse.run(
        id,
        signedPreKeyId,
        Buffer.from(baseKey.serialize()),
        this.now(),
      );
      if (fresh.changes === 0) {
        throw new Error(`Kyber prekey ${id} was already used with this base key (replay)`);
      }
    })();
  }

  oneTimeCount(): number {
    return this.statements.countOneTime.get() as number;
  }

  maxId(): number {
    return (this.statements.maxId.get() as number | null) ?? 0;
  }

  private save(id: number, record: KyberPreKeyRecord, lastResort: boolean): void {
    this.statements.save.run(id, Buffer.from(record.serialize()), lastResort ? 1 : 0, this.now());
  }
}
