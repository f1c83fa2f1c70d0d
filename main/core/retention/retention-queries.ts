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
      // Messages stored without an expiry (before the policy was on, or before this version
      // computed it at insert) get one here; the messages_without_expiry partial index finds
      // them without reading every row.
      scheduleUnscheduled: db.prepare(`UPDATE messages SET expires_at = (
          SELECT CASE
            WHEN c.disappearing_seconds IS NULL THEN ${storedAt} + @ms
            ELSE min(${storedAt} + @ms, ${storedAt} + c.disappearing_seconds * 1000)
          END FROM conversations c WHERE c.id = messages.conversation_id)
        WHERE expires_at IS NULL`),
    };
  }

  expired(now: number): ExpiredMessage[] {
    return this.statements.expired.all(now) as ExpiredMessage[];
  }

  applyRetention(retentionMs: number): number {
    return this.statements.applyRetention.run({ ms: retentionMs }).changes;
  }

  /** Gives the policy's expiry to messages that have none; returns how many. */
  scheduleUnscheduled(retentionMs: number): number {
    return this.statements.scheduleUnscheduled.run({ ms: retentionMs }).changes;
  }
}
