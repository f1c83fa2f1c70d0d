import {
  SenderKeyRecord,
  SenderKeyStore,
  type ProtocolAddress,
  type Uuid,
} from '@signalapp/libsignal-client';
import type { SqlDatabase } from '../db/encrypted-database.js';

/** Sender keys for group messages, per sender device and distribution id. */
export class SqliteSenderKeyStore extends SenderKeyStore {
  private readonly statements;

  constructor(
    db: SqlDatabase,
    private readonly now: () => number = Date.now,
  ) {
    super();
    this.statements = {
      save: db.prepare(`INSERT INTO sender_keys (account_id, device_id, distribution_id, record,
          updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (account_id, device_id, distribution_id)
          DO UPDATE SET record = excluded.record, updated_at = excluded.updated_at`),
      get: db
        .prepare(
          `SELECT record FROM sender_keys WHERE account_id = ? AND device_id = ?
          AND distribution_id = ?`,
        )
        .pluck(),
    };
  }

  override async saveSenderKey(
    sender: ProtocolAddress,
    distributionId: Uuid,
    record: SenderKeyRecord,
  ): Promise<void> {
    this.statements.save.run(
      sender.name(),
      sender.deviceId(),
      Buffer.from(distributionId),
      Buffer.from(record.serialize()),
      this.now(),
    );
  }

  override async getSenderKey(
    sender: ProtocolAddress,
    distributionId: Uuid,
  ): Promise<SenderKeyRecord | null> {
    const bytes = this.statements.get.get(
      sender.name(),
      sender.deviceId(),
      Buffer.from(distributionId),
    ) as Uint8Array<ArrayBuffer> | undefined;
    return bytes ? SenderKeyRecord.deserialize(bytes) : null;
  }
}
