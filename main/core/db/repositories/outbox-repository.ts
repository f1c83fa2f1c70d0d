import type { OutgoingEnvelope } from '../../../../shared/protocol/index.js';
import type { SqlDatabase } from '../encrypted-database.js';

export type OutboxKind = 'message' | 'receipt' | 'control';

export interface OutboxItem {
  readonly id: number;
  readonly kind: OutboxKind;
  readonly messageId: string | null;
  readonly recipientAccountId: string;
  /** Plaintext content to encrypt at send time. */
  readonly payload: Buffer;
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly lastError: string | null;
  readonly createdAt: number;
  /**
   * The content already encrypted, one envelope per device, in the transaction that queued it
   * (migration 016); null: encrypt at send time.
   */
  readonly envelopes: OutgoingEnvelope[] | null;
}

export interface NewOutboxItem {
  readonly kind: OutboxKind;
  readonly messageId?: string | null;
  readonly recipientAccountId: string;
  readonly payload: Uint8Array;
  /** Defaults to createdAt: send as soon as possible. */
  readonly nextAttemptAt?: number;
}

interface OutboxRow {
  id: number;
  kind: OutboxKind;
  message_id: string | null;
  recipient_account_id: string;
  payload: Buffer;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  created_at: number;
  envelopes: string | null;
}

/**
 * Persistent queue of things to send. A row is written in the same transaction as the message
 * it delivers and removed only after the relay accepted it, so a crash never loses a send.
 */
export class OutboxRepository {
  private readonly statements;

  constructor(db: SqlDatabase) {
    this.statements = {
      insert: db.prepare(`INSERT INTO outbox (kind, message_id, recipient_account_id, payload,
          next_attempt_at, created_at) VALUES (@kind, @messageId, @recipient, @payload,
          @nextAttemptAt, @createdAt)`),
      get: db.prepare('SELECT * FROM outbox WHERE id = ?'),
      due: db.prepare(
        'SELECT * FROM outbox WHERE next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?',
      ),
      all: db.prepare('SELECT * FROM outbox ORDER BY id'),
      recordFailure: db.prepare(`UPDATE outbox SET attempts = attempts + 1, last_error = ?,
          next_attempt_at = ? WHERE id = ?`),
      remove: db.prepare('DELETE FROM outbox WHERE id = ?'),
      removeForMessage: db.prepare('DELETE FROM outbox WHERE message_id = ?'),
      count: db.prepare('SELECT count(*) FROM outbox').pluck(),
      seal: db.prepare('UPDATE outbox SET envelopes = ? WHERE id = ?'),
      nextDueAt: db.prepare('SELECT min(next_attempt_at) FROM outbox').pluck(),
    };
  }

  enqueue(item: NewOutboxItem, now: number): number {
    const result = this.statements.insert.run({
      kind: item.kind,
      messageId: item.messageId ?? null,
      recipient: item.recipientAccountId,
      payload: Buffer.from(item.payload),
      nextAttemptAt: item.nextAttemptAt ?? now,
      createdAt: now,
    });
    return Number(result.lastInsertRowid);
  }

  get(id: number): OutboxItem | null {
    const row = this.statements.get.get(id) as OutboxRow | undefined;
    return row ? toItem(row) : null;
  }

  /** Items whose next attempt is due, oldest first (so sends keep their order). */
  due(now: number, limit = 100): OutboxItem[] {
    return (this.statements.due.all(now, limit) as OutboxRow[]).map(toItem);
  }

  all(): OutboxItem[] {
    return (this.statements.all.all() as OutboxRow[]).map(toItem);
  }

  recordFailure(id: number, error: string, nextAttemptAt: number): void {
    this.statements.recordFailure.run(error, nextAttemptAt, id);
  }

  remove(id: number): boolean {
    return this.statements.remove.run(id).changes === 1;
  }

  removeForMessage(messageId: string): number {
    return this.statements.removeForMessage.run(messageId).changes;
  }

  /** Stores the ciphertext of a row (same transaction as the encryption that made it). */
  seal(id: number, envelopes: readonly OutgoingEnvelope[]): void {
    this.statements.seal.run(JSON.stringify(envelopes), id);
  }

  count(): number {
    return this.statements.count.get() as number;
  }

  /** When the soonest item becomes due; null when the outbox is empty. */
  nextDueAt(): number | null {
    return (this.statements.nextDueAt.get() as number | null | undefined) ?? null;
  }
}

function toItem(row: OutboxRow): OutboxItem {
  return {
    id: row.id,
    kind: row.kind,
    messageId: row.message_id,
    recipientAccountId: row.recipient_account_id,
    payload: row.payload,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    createdAt: row.created_at,
    envelopes: row.envelopes === null ? null : (JSON.parse(row.envelopes) as OutgoingEnvelope[]),
  };
}
