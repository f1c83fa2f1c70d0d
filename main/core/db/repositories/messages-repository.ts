import type { SqlDatabase } from '../encrypted-database.js';

export const messageStatuses = ['pending', 'sent', 'delivered', 'read', 'failed'] as const;
export type MessageStatus = (typeof messageStatuses)[number];
export type MessageDirection = 'outgoing' | 'incoming';
/** 'notice': written here by this device (e.g. a message given up as undecryptable), never sent. */
export type MessageKind = 'text' | 'notice';
/** Why a message was deleted here: kept with its tombstone (no content) for the empty view. */
export type DeletionReason = 'transcribed' | 'sender' | 'expired';

/** How many messages of a conversation were deleted here, and why. */
export interface DeletedInConversation {
  readonly count: number;
  readonly reasons: readonly DeletionReason[];
}

export interface MessageRecord {
  readonly id: string;
  readonly conversationId: string;
  readonly direction: MessageDirection;
  readonly senderAccountId: string;
  readonly senderDeviceId: number | null;
  readonly body: string;
  readonly urgent: boolean;
  readonly status: MessageStatus;
  readonly failureReason: string | null;
  /** Sender's clock, ms since epoch. */
  readonly sentAt: number;
  /** This device's clock when an incoming message was stored. */
  readonly receivedAt: number | null;
  readonly readAt: number | null;
  readonly expiresAt: number | null;
  readonly transcribedAt: number | null;
  readonly transcribedBy: string | null;
  readonly kind: MessageKind;
}

export interface NewMessage {
  readonly id: string;
  readonly conversationId: string;
  readonly direction: MessageDirection;
  readonly senderAccountId: string;
  readonly senderDeviceId?: number | null;
  readonly body: string;
  readonly urgent?: boolean;
  /** Defaults to 'text'. */
  readonly kind?: MessageKind;
  readonly status: Exclude<MessageStatus, 'failed'>;
  readonly sentAt: number;
  readonly receivedAt?: number | null;
  /**
   * When the message must be gone (null: kept until deleted). Required, so no path can store a
   * message without deciding: the retention rule is retention/expiry-policy.ts
   * (expiryOfNewMessage), outside storage.
   */
  readonly expiresAt: number | null;
}

/** Keyset cursor for paging: the (sentAt, id) of the message the page starts after/before. */
export interface MessageCursor {
  readonly sentAt: number;
  readonly id: string;
}

/**
 * The named parameters of a range of a conversation's messages, after `after` (from the start
 * when null) through `through`, in (sent_at, id) order: markReadBetween and unreadUpTo walk the
 * same range, so they must bind it the same way.
 */
export function cursorRange(after: MessageCursor | null, through: MessageCursor) {
  return {
    afterSentAt: after?.sentAt ?? Number.MIN_SAFE_INTEGER,
    afterId: after?.id ?? '',
    sentAt: through.sentAt,
    id: through.id,
  };
}

interface MessageRow {
  id: string;
  conversation_id: string;
  direction: MessageDirection;
  sender_account_id: string;
  sender_device_id: number | null;
  body: string;
  urgent: number;
  status: MessageStatus;
  failure_reason: string | null;
  sent_at: number;
  received_at: number | null;
  read_at: number | null;
  expires_at: number | null;
  transcribed_at: number | null;
  transcribed_by: string | null;
  kind: MessageKind;
}

// Receipts can arrive out of order (read before delivered); status only moves forward.
const statusRank: Record<Exclude<MessageStatus, 'failed'>, number> = {
  pending: 0,
  sent: 1,
  delivered: 2,
  read: 3,
};

/** Messages of all conversations, with tombstones so deleted messages are never stored again. */
/** Settings rows `<prefix><relay id>`: relay blobs this device will not fetch (see delete). */
export const declineKeyPrefix = 'attachment.decline.';

export class MessagesRepository {
  private readonly statements;

  constructor(private readonly db: SqlDatabase) {
    this.statements = {
      insert: db.prepare(`INSERT INTO messages (id, conversation_id, direction, sender_account_id,
          sender_device_id, body, urgent, status, sent_at, received_at, expires_at, kind)
        SELECT @id, @conversationId, @direction, @senderAccountId, @senderDeviceId, @body, @urgent,
          @status, @sentAt, @receivedAt, @expiresAt, @kind
        WHERE NOT EXISTS (SELECT 1 FROM message_tombstones WHERE message_id = @id)
        ON CONFLICT (id) DO NOTHING`),
      get: db.prepare('SELECT * FROM messages WHERE id = ?'),
      // The messages a page's messages reply to, for the whole page at once (json_each: one
      // prepared statement for any number of ids).
      repliedTo: db.prepare(`SELECT m.id AS reply_id, r.* FROM messages m
          JOIN messages r ON r.id = m.reply_to
          WHERE m.id IN (SELECT value FROM json_each(?))`),
      pageBefore: db.prepare(`SELECT * FROM messages WHERE conversation_id = @conversationId
          AND (sent_at, id) < (@sentAt, @id) ORDER BY sent_at DESC, id DESC LIMIT @limit`),
      pageAfter: db.prepare(`SELECT * FROM messages WHERE conversation_id = @conversationId
          AND (sent_at, id) > (@sentAt, @id) ORDER BY sent_at, id LIMIT @limit`),
      setStatus: db.prepare('UPDATE messages SET status = ?, failure_reason = ? WHERE id = ?'),
      markRead: db.prepare(`UPDATE messages SET read_at = @at
          WHERE id = @id AND direction = 'incoming' AND read_at IS NULL`),
      // A conversation's unread incoming messages in a (sentAt, id) range, read mark and status
      // in one statement (through the (conversation, time) index); migration 014's triggers
      // still run per row and keep the unread count. The status moves to 'read' from the states
      // isAllowedTransition allows it from, as updateStatus would.
      markReadBetween: db.prepare(`UPDATE messages SET read_at = @at,
            status = CASE WHEN status IN ('pending', 'sent', 'delivered') THEN 'read' ELSE status END,
            failure_reason = CASE WHEN status IN ('pending', 'sent', 'delivered') THEN NULL
              ELSE failure_reason END
          WHERE conversation_id = @conversationId AND direction = 'incoming' AND read_at IS NULL
            AND (sent_at, id) > (@afterSentAt, @afterId)
            AND (sent_at < @sentAt OR (sent_at = @sentAt AND id <= @id))`),
      markTranscribed: db.prepare(
        'UPDATE messages SET transcribed_at = @at, transcribed_by = @by WHERE id = @id',
      ),
      setExpiry: db.prepare('UPDATE messages SET expires_at = ? WHERE id = ?'),
      delete: db.prepare('DELETE FROM messages WHERE id = ?'),
      // An attachment (its key and its ciphertext) goes with its message, in the same transaction.
      deleteAttachment: db.prepare('DELETE FROM attachments WHERE message_id = ?'),
      deleteAttachmentChunks: db.prepare('DELETE FROM attachment_chunks WHERE message_id = ?'),
      // A received file the relay still keeps for this device (not fetched, or its `fetched`
      // not yet taken): the relay is told this device is done with it (AttachmentTransfers), so
      // the blob need not wait for its expiry. Kept in settings, so a restart still tells it.
      queueDecline: db.prepare(`INSERT INTO settings (key, value, updated_at)
          SELECT '${declineKeyPrefix}' || relay_id, json_quote(relay_id), @at FROM attachments
          WHERE message_id = @id AND direction = 'incoming' AND relay_id IS NOT NULL
          ON CONFLICT (key) DO NOTHING`),
      // The conversation is read from the message itself: an id never stored here (a peer
      // deleting what had not arrived yet) gets a tombstone but counts in no conversation.
      tombstone: db.prepare(`INSERT INTO message_tombstones (message_id, deleted_at,
          conversation_id, reason)
        VALUES (@id, @at, (SELECT conversation_id FROM messages WHERE id = @id), @reason)
        ON CONFLICT (message_id) DO NOTHING`),
      deletedIn: db.prepare(`SELECT reason, count(*) AS count FROM message_tombstones
          WHERE conversation_id = ? GROUP BY reason`),
      expired: db
        .prepare('SELECT id FROM messages WHERE expires_at <= ? ORDER BY expires_at')
        .pluck(),
      // The WHERE lets SQLite answer from the partial index instead of scanning every message.
      nextExpiry: db
        .prepare('SELECT min(expires_at) FROM messages WHERE expires_at IS NOT NULL')
        .pluck(),
      // Kept by the triggers of migration 013 (unread-counts), not counted per call.
      countUnread: db.prepare('SELECT unread_count FROM conversations WHERE id = ?').pluck(),
      isTombstoned: db.prepare('SELECT 1 FROM message_tombstones WHERE message_id = ?').pluck(),
    };
  }

  /** Stores a message; false when its id is already stored or was deleted (a duplicate). */
  insert(message: NewMessage): boolean {
    const receivedAt = message.receivedAt ?? null;
    const result = this.statements.insert.run({
      id: message.id,
      conversationId: message.conversationId,
      direction: message.direction,
      senderAccountId: message.senderAccountId,
      senderDeviceId: message.senderDeviceId ?? null,
      body: message.body,
      urgent: message.urgent ? 1 : 0,
      kind: message.kind ?? 'text',
      status: message.status,
      sentAt: message.sentAt,
      receivedAt,
      expiresAt: message.expiresAt,
    });
    return result.changes === 1;
  }

  get(id: string): MessageRecord | null {
    const row = this.statements.get.get(id) as MessageRow | undefined;
    return row ? toRecord(row) : null;
  }

  /** True when a message with this id was deleted here (so a copy must not be stored again). */
  wasDeleted(id: string): boolean {
    return this.statements.isTombstoned.get(id) !== undefined;
  }

  /**
   * Up to `limit` messages older than `before` (or the newest when null), returned oldest first
   * so a chat view can prepend them. Uses the (conversation_id, sent_at, id) index.
   */
  pageBefore(conversationId: string, before: MessageCursor | null, limit: number): MessageRecord[] {
    const rows = this.statements.pageBefore.all({
      conversationId,
      sentAt: before?.sentAt ?? Number.MAX_SAFE_INTEGER,
      id: before?.id ?? '\uffff',
      limit,
    }) as MessageRow[];
    return rows.reverse().map(toRecord);
  }

  /** For each of these messages that replies to a stored one, the message it replies to. */
  repliedTo(ids: readonly string[]): Map<string, MessageRecord> {
    const rows = this.statements.repliedTo.all(JSON.stringify(ids)) as (MessageRow & {
      reply_id: string;
    })[];
    return new Map(rows.map((row) => [row.reply_id, toRecord(row)]));
  }

  /** Up to `limit` messages newer than `after` (or from the oldest when null), oldest first. */
  pageAfter(conversationId: string, after: MessageCursor | null, limit: number): MessageRecord[] {
    const rows = this.statements.pageAfter.all({
      conversationId,
      sentAt: after?.sentAt ?? Number.MIN_SAFE_INTEGER,
      id: after?.id ?? '',
      limit,
    }) as MessageRow[];
    return rows.map(toRecord);
  }

  /**
   * Moves the status forward (pending -> sent -> delivered -> read), never back, so a late
   * 'delivered' receipt cannot undo 'read'. 'failed' needs a reason; a failed message may go
   * back to pending for a retry. Returns whether anything changed.
   */
  updateStatus(id: string, status: MessageStatus, failureReason?: string): boolean {
    return this.db.transaction(() => {
      const current = this.get(id);
      if (!current || !isAllowedTransition(current.status, status)) return false;
      if (status === 'failed' && !failureReason) throw new Error('A failed status needs a reason');
      this.statements.setStatus.run(status, status === 'failed' ? failureReason : null, id);
      return true;
    })();
  }

  markRead(ids: readonly string[], at: number): number {
    return this.forEach(ids, (id) => this.statements.markRead.run({ id, at }).changes);
  }

  /**
   * Marks read every unread incoming message of the conversation after `after` (from the start
   * when null) up to and including `through`, in (sentAt, id) order, and moves its status to
   * 'read' as updateStatus would; returns how many.
   */
  markReadBetween(
    conversationId: string,
    after: MessageCursor | null,
    through: MessageCursor,
    at: number,
  ): number {
    return this.statements.markReadBetween.run({
      conversationId,
      ...cursorRange(after, through),
      at,
    }).changes;
  }

  markTranscribed(ids: readonly string[], transcribedBy: string, at: number): number {
    return this.forEach(
      ids,
      (id) => this.statements.markTranscribed.run({ id, by: transcribedBy, at }).changes,
    );
  }

  setExpiry(ids: readonly string[], expiresAt: number | null): number {
    return this.forEach(ids, (id) => this.statements.setExpiry.run(expiresAt, id).changes);
  }

  /** Deletes messages and leaves tombstones; returns how many rows were removed. */
  delete(ids: readonly string[], at: number, reason: DeletionReason): number {
    return this.forEach(ids, (id) => {
      this.statements.tombstone.run({ id, at, reason });
      this.statements.queueDecline.run({ id, at });
      this.statements.deleteAttachmentChunks.run(id);
      this.statements.deleteAttachment.run(id);
      return this.statements.delete.run(id).changes;
    });
  }

  /** From the tombstones' index alone; null when nothing of this conversation was deleted. */
  deletedIn(conversationId: string): DeletedInConversation | null {
    const rows = this.statements.deletedIn.all(conversationId) as Array<{
      reason: DeletionReason | null;
      count: number;
    }>;
    if (rows.length === 0) return null;
    return {
      count: rows.reduce((total, row) => total + row.count, 0),
      reasons: rows.flatMap((row) => (row.reason === null ? [] : [row.reason])),
    };
  }

  /** Deletes every message whose expiry has passed; returns their ids. */
  deleteExpired(now: number): string[] {
    return this.db.transaction(() => {
      const ids = this.statements.expired.all(now) as string[];
      this.delete(ids, now, 'expired');
      return ids;
    })();
  }

  /** The soonest expiry, for a single retention timer; null when nothing expires. */
  nextExpiry(): number | null {
    return (this.statements.nextExpiry.get() as number | null | undefined) ?? null;
  }

  countUnread(conversationId: string): number {
    return (this.statements.countUnread.get(conversationId) as number | undefined) ?? 0;
  }

  private forEach(ids: readonly string[], apply: (id: string) => number): number {
    return this.db.transaction(() => ids.reduce((total, id) => total + apply(id), 0))();
  }
}

function isAllowedTransition(from: MessageStatus, to: MessageStatus): boolean {
  if (from === to) return false;
  if (to === 'failed') return from === 'pending' || from === 'sent';
  if (from === 'failed') return to === 'pending' || to === 'sent';
  return statusRank[to] > statusRank[from];
}

function toRecord(row: MessageRow): MessageRecord {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    direction: row.direction,
    senderAccountId: row.sender_account_id,
    senderDeviceId: row.sender_device_id,
    body: row.body,
    urgent: row.urgent === 1,
    status: row.status,
    failureReason: row.failure_reason,
    sentAt: row.sent_at,
    receivedAt: row.received_at,
    readAt: row.read_at,
    expiresAt: row.expires_at,
    transcribedAt: row.transcribed_at,
    transcribedBy: row.transcribed_by,
    kind: row.kind,
  };
}
