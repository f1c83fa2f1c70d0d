import { SignedPreKeyRecord, SignedPreKeyStore } from '@signalapp/libsignal-client';
import type { SqlDatabase } from '../db/encrypted-database.js';

/** Signed EC prekeys; old ones are kept for a while after rotation for in-flight messages. */
export class SqliteSignedPreKeyStore extends SignedPreKeyStore {
  private readonly statements;

  constructor(
    db: SqlDatabase,
    private readonly now: () => number = Date.now,
  ) {
    super();
    this.statements = {
      save: db.prepare(`INSERT INTO signed_prekeys (id, record, created_at) VALUES (?, ?, ?)
          ON CONFLICT (id) DO UPDATE SET record = excluded.record`),
      get: db.prepare('SELECT record FROM signed_prekeys WHERE id = ?').pluck(),
      remove: db.prepare('DELETE FROM signed_prekeys WHERE id = ?'),
      ids: db.prepare('SELECT id FROM signed_prekeys ORDER BY created_at, id').pluck(),
    };
  }

  override async saveSignedPreKey(id: number, record: SignedPreKeyRecord): Promise<void> {
    this.statements.save.run(id, Buffer.from(record.serialize()), this.now());
  }

  override async getSignedPreKey(id: number): Promise<SignedPreKeyRecord> {
    const bytes = this.statements.get.get(id) as Uint8Array<ArrayBuffer> | undefined;
    if (!bytes) throw new Error(`No signed prekey with id ${id}`);
    return SignedPreKeyRecord.deserialize(bytes);
  }

  removeSignedPreKey(id: number): void {
    this.statements.remove.run(id);
  }

  /** Oldest first. */
  ids(): number[] {
    return this.statements.ids.all() as number[];
  }
}
