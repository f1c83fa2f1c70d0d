import { PreKeyRecord, PreKeyStore } from '@signalapp/libsignal-client';
import type { SqlDatabase } from '../db/encrypted-database.js';

/** One-time EC prekeys; libsignal removes each after its first use. */
export class SqlitePreKeyStore extends PreKeyStore {
  private readonly statements;

  constructor(
    db: SqlDatabase,
    private readonly now: () => number = Date.now,
  ) {
    super();
    this.statements = {
      save: db.prepare(`INSERT INTO prekeys (id, record, created_at) VALUES (?, ?, ?)
          ON CONFLICT (id) DO UPDATE SET record = excluded.record`),
      get: db.prepare('SELECT record FROM prekeys WHERE id = ?').pluck(),
      remove: db.prepare('DELETE FROM prekeys WHERE id = ?'),
      count: db.prepare('SELECT count(*) FROM prekeys').pluck(),
      maxId: db.prepare('SELECT max(id) FROM prekeys').pluck(),
    };
  }

  override async savePreKey(id: number, record: PreKeyRecord): Promise<void> {
    this.statements.save.run(id, Buffer.from(record.serialize()), this.now());
  }

  override async getPreKey(id: number): Promise<PreKeyRecord> {
    const bytes = this.statements.get.get(id) as Uint8Array<ArrayBuffer> | undefined;
    if (!bytes) throw new Error(`No prekey with id ${id}`);
    return PreKeyRecord.deserialize(bytes);
  }

  override async removePreKey(id: number): Promise<void> {
    this.statements.remove.run(id);
  }

  count(): number {
    return this.statements.count.get() as number;
  }

  /** Highest id in use, so replenishment continues the sequence; 0 when none. */
  maxId(): number {
    return (this.statements.maxId.get() as number | null) ?? 0;
  }
}
