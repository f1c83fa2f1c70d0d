import type { SqlDatabase } from '../db/encrypted-database.js';
import {
  cursorRange,
  type MessageCursor,
  type MessageKind,
} from '../db/repositories/messages-repository.js';

/** An incoming message not read yet (unreadUpTo). */
export interface UnreadMessage {
  readonly id: string;
  readonly kind: MessageKind;
  readonly sender: string;
  readonly sentAt: number;
}

/**
 * Queries the messaging core needs beyond the shared repositories (reply links, read marks,
 * outbox rescheduling; search is db/message-search.ts). Bound parameters only.
 */
export class MessagingQueries {
  private readonly statements;

  constructor(db: SqlDatabase) {
    this.statements = {
      setReplyTo: db.prepare('UPDATE messages SET reply_to = ? WHERE id = ?'),
      replyTo: db.prepare('SELECT reply_to FROM messages WHERE id = ?').pluck(),
      // The sender comes with the row, so marking a group read looks no message up again.
      unreadUpTo: db.prepare(
        `SELECT id, kind, sender_account_id AS sender, sent_at AS sentAt FROM messages
         WHERE conversation_id = @conversationId AND direction = 'incoming' AND read_at IS NULL
         AND (sent_at, id) > (@afterSentAt, @afterId)
         AND (sent_at < @sentAt OR (sent_at = @sentAt AND id <= @id)) ORDER BY sent_at, id
         LIMIT @limit`,
      ),
      lastMessage: db.prepare(
        `SELECT id, body, sent_at FROM messages WHERE conversation_id = ?
         ORDER BY sent_at DESC, id DESC LIMIT 1`,
      ),
      // EXISTS on the messages_urgent_unread partial index: the first entry answers it, where a
      // count through the unread index read the row of every unread message (migration 003).
      urgentUnread: db
        .prepare(
          `SELECT EXISTS (SELECT 1 FROM messages WHERE conversation_id = ?
           AND direction = 'incoming' AND read_at IS NULL AND urgent = 1)`,
        )
        .pluck(),
      retryAllNow: db.prepare('UPDATE outbox SET next_attempt_at = ? WHERE next_attempt_at > ?'),
      outboxHasMessage: db.prepare('SELECT 1 FROM outbox WHERE message_id = ?').pluck(),
      deviceCount: db
        .prepare(
          `SELECT count(*) FROM remote_device_identities
           WHERE account_id = ? AND removed_at IS NULL`,
        )
        .pluck(),
    };
  }

  setReplyTo(messageId: string, replyTo: string): void {
    this.statements.setReplyTo.run(replyTo, messageId);
  }

  replyTo(messageId: string): string | null {
    return (this.statements.replyTo.get(messageId) as string | null | undefined) ?? null;
  }

  /**
   * The oldest `limit` incoming unread messages after `after` (from the start when null) up to
   * and including `upTo`, oldest first, with their sender and whether the peer sent it ('text')
   * or this device wrote it as a notice (which gets no read receipt). `after` lets slices start
   * where the last one ended, through the (conversation, time) index, instead of stepping over
   * every message already read.
   */
  unreadUpTo(
    conversationId: string,
    after: MessageCursor | null,
    upTo: MessageCursor,
    limit: number,
  ): UnreadMessage[] {
    return this.statements.unreadUpTo.all({
      conversationId,
      ...cursorRange(after, upTo),
      limit,
    }) as UnreadMessage[];
  }

  lastMessage(conversationId: string): { id: string; body: string; sentAt: number } | null {
    const row = this.statements.lastMessage.get(conversationId) as
      { id: string; body: string; sent_at: number } | undefined;
    return row ? { id: row.id, body: row.body, sentAt: row.sent_at } : null;
  }

  hasUrgentUnread(conversationId: string): boolean {
    return this.statements.urgentUnread.get(conversationId) === 1;
  }

  /** Makes every waiting outbox item due now (the relay is reachable again). */
  retryAllNow(now: number): number {
    return this.statements.retryAllNow.run(now, now).changes;
  }

  /** How many PCs of this colleague this device knows of (each has its own identity key). */
  deviceCount(accountId: string): number {
    return this.statements.deviceCount.get(accountId) as number;
  }

  outboxHasMessage(messageId: string): boolean {
    return this.statements.outboxHasMessage.get(messageId) !== undefined;
  }
}
