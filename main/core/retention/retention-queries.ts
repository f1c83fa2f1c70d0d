import type { SqlDatabase } from '../db/encrypted-database.js';

export interface ExpiredMessage {
  readonly id: string;
  readonly conversationId: string;
  /** Account id of whoever transcribed it; their device announces the deletion to everyone. */
  readonly transcribedBy: string | null;
}

// The time a message counts from: this device's receipt, or the send time of our own messages.
const storedAt = 'coalesce(received_at, sent_at)';

/**
 * The retention-specific reads and writes on the messages table. Everything goes through the
 * partial index on expires_at (or the rowid), never a scan per timer tick.
 */
export class RetentionQueries {
  private readonly statements;

  constructor(db: SqlDatabase) {
    this.statements = {
      expired: db.prepare(`SELECT id, conversation_id AS conversationId,
          transcribed_by AS transcribedBy FROM messages
        WHERE expires_at IS NOT NULL AND expires_at <= ? ORDER BY expires_at`),
      // The catch-up below goes through the table in rowid slices (one transaction each, the
      // event loop free between them): one UPDATE of 100,000 rows held unlock for a second.
      sliceEnd: db
        .prepare(
          'SELECT max(rowid) FROM (SELECT rowid FROM messages WHERE rowid > ? ORDER BY rowid LIMIT ?)',
        )
        .pluck(),
      // A shorter retention policy applies to what is already stored, not only to new messages.
      applyRetention: db.prepare(`UPDATE messages SET expires_at = ${storedAt} + @ms
        WHERE rowid > @after AND rowid <= @last
          AND (expires_at IS NULL OR expires_at > ${storedAt} + @ms)`),
      // The messages_without_expiry partial index answers this without reading every row.
      anyUnscheduled: db
        .prepare('SELECT EXISTS (SELECT 1 FROM messages WHERE expires_at IS NULL)')
        .pluck(),
      // Messages stored without an expiry (before the policy was on, or before this version
      // computed it at insert) get one here.
      scheduleUnscheduled: db.prepare(`UPDATE messages SET expires_at = (
          SELECT CASE
            WHEN c.disappearing_seconds IS NULL THEN ${storedAt} + @ms
            ELSE min(${storedAt} + @ms, ${storedAt} + c.disappearing_seconds * 1000)
          END FROM conversations c WHERE c.id = messages.conversation_id)
        WHERE rowid > @after AND rowid <= @last AND expires_at IS NULL`),
    };
  }

  expired(now: number): ExpiredMessage[] {
    return this.statements.expired.all(now) as ExpiredMessage[];
  }

  /** Whether any message has no expiry yet (then scheduleUnscheduled has work). */
  anyUnscheduled(): boolean {
    return this.statements.anyUnscheduled.get() === 1;
  }

  /**
   * The rowid ending the slice of up to `limit` messages after rowid `after`; null when there are
   * no more. Slices go through the table once, whatever the updates change.
   */
  sliceEnd(after: number, limit: number): number | null {
    return (this.statements.sliceEnd.get(after, limit) as number | null) ?? null;
  }

  /** Applies the policy to the messages with rowids in (after, last]; returns how many changed. */
  applyRetention(retentionMs: number, after: number, last: number): number {
    return this.statements.applyRetention.run({ ms: retentionMs, after, last }).changes;
  }

  /** Gives the policy's expiry to messages in (after, last] that have none; returns how many. */
  scheduleUnscheduled(retentionMs: number, after: number, last: number): number {
    return this.statements.scheduleUnscheduled.run({ ms: retentionMs, after, last }).changes;
  }
}
