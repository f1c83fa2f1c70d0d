import type pg from 'pg';

interface PendingAck {
  devicePk: number;
  ids: readonly number[];
  resolve(count: number): void;
  reject(error: unknown): void;
}

// Acks of one flush, at most: one statement stays well under PostgreSQL's limits.
const maxIdsPerFlush = 5000;

/**
 * Acknowledged envelopes are deleted in batches: every ack that arrives while one DELETE runs
 * goes into the next, so a burst of acks from many sockets costs a few statements, not one each.
 * The deletes commit without waiting for the WAL flush (`synchronous_commit = off` for that
 * transaction only): an ack lost in a database crash just means the envelope is delivered once
 * more, which every client already handles (docs/protocol.md §6, drop duplicates by id); sends,
 * whose loss would lose a message, still commit durably.
 */
export class PostgresAckBatcher {
  private pending: PendingAck[] = [];
  private flushing = false;

  constructor(private readonly pool: pg.Pool) {}

  ack(devicePk: number, ids: readonly number[]): Promise<number> {
    // Only whole numbers reach the statement (they are written into it as digits).
    const valid = ids.filter((id) => Number.isSafeInteger(id) && id > 0);
    if (!Number.isSafeInteger(devicePk) || valid.length === 0) return Promise.resolve(0);
    return new Promise((resolve, reject) => {
      this.pending.push({ devicePk, ids: valid, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.pending.length > 0) {
        const batch: PendingAck[] = [];
        let size = 0;
        while (this.pending.length > 0 && size < maxIdsPerFlush) {
          const next = this.pending.shift()!;
          batch.push(next);
          size += next.ids.length;
        }
        await this.delete(batch);
      }
    } finally {
      this.flushing = false;
    }
  }

  private async delete(batch: PendingAck[]): Promise<void> {
    const pks: number[] = [];
    const ids: number[] = [];
    for (const ack of batch) {
      for (const id of ack.ids) {
        pks.push(ack.devicePk);
        ids.push(id);
      }
    }
    // One round trip: the simple query protocol runs both statements in one transaction, and
    // set_config(..., true) applies to that transaction only.
    const sql = `SELECT set_config('synchronous_commit', 'off', true);
      DELETE FROM envelopes e USING unnest('{${pks.join(',')}}'::int[], '{${ids.join(',')}}'::bigint[]) AS a (pk, id)
       WHERE e.device_pk = a.pk AND e.id = a.id RETURNING e.device_pk`;
    try {
      const results = (await this.pool.query(sql)) as unknown as pg.QueryResult<{
        device_pk: number;
      }>[];
      const deleted = new Map<number, number>();
      for (const row of results[1]?.rows ?? []) {
        deleted.set(row.device_pk, (deleted.get(row.device_pk) ?? 0) + 1);
      }
      for (const ack of batch) {
        const count = deleted.get(ack.devicePk) ?? 0;
        // Two acks of one device in a batch: the first is told the whole count, the rest 0.
        deleted.set(ack.devicePk, 0);
        ack.resolve(count);
      }
    } catch (error) {
      for (const ack of batch) ack.reject(error);
    }
  }
}
