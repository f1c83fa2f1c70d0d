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
      // A shorter retention policy applies to what is already stored, not only to new messages.
      applyRetention: db.prepare(`UPDATE messages SET expires_at = ${storedAt} + @ms
        WHERE expires_at IS NULL OR expires_at > ${storedAt} + @ms`),
      // Messages stored without an expiry (by code that did not compute one) get one here.
      scheduleUnscheduled: db.prepare(`UPDATE messages SET expires_at = (
          SELECT CASE
            WHEN c.disappearing_seconds IS NULL THEN ${storedAt} + @ms
            WHEN @ms IS NULL THEN ${storedAt} + c.disappearing_seconds * 1000
            ELSE min(${storedAt} + @ms, ${storedAt} + c.disappearing_seconds * 1000)
          END FROM conversations c WHERE c.id = messages.conversation_id)
        WHERE rowid > @since AND expires_at IS NULL`),
      maxRowid: db.prepare('SELECT coalesce(max(rowid), 0) FROM messages').pluck(),
    };
  }

  expired(now: number): ExpiredMessage[] {
    return this.statements.expired.all(now) as ExpiredMessage[];
  }

  applyRetention(retentionMs: number): number {
    return this.statements.applyRetention.run({ ms: retentionMs }).changes;
  }

  /** Schedules messages stored after rowid `since` that have no expiry; returns the new high mark. */
  scheduleUnscheduled(retentionMs: number | null, since: number): number {
    this.statements.scheduleUnscheduled.run({ ms: retentionMs, since });
    return this.maxRowid();
  }

  /** SQLite reuses the rowid of a deleted newest row, so the high mark must follow deletions down. */
  maxRowid(): number {
    return this.statements.maxRowid.get() as number;
  }
}
