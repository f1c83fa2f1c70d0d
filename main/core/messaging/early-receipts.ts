import type { SqlDatabase } from '../db/encrypted-database.js';
import type { CoreContext } from './core-context.js';
import type { MessagingEvent } from './messaging-events.js';

// A receipt can overtake the sync copy of a message the person sent from another PC: the peer
// answers at once, the copy waits in this PC's queue behind it. It is kept here and applied when
// the copy arrives, so the copy does not stay at "Sent" (issue 13).

const keepMs = 7 * 24 * 3600_000;

/** Remembers a receipt for a message not stored (yet); read beats delivered. */
export function keepEarlyReceipt(
  db: SqlDatabase,
  messageId: string,
  fromAccountId: string,
  status: 'delivered' | 'read',
  now: number,
): void {
  db.prepare('DELETE FROM early_receipts WHERE received_at < ?').run(now - keepMs);
  db.prepare(
    `INSERT INTO early_receipts (message_id, from_account_id, status, received_at)
       VALUES (?, ?, ?, ?)
     ON CONFLICT (message_id, from_account_id) DO UPDATE SET
       status = CASE WHEN excluded.status = 'read' THEN 'read' ELSE early_receipts.status END`,
  ).run(messageId, fromAccountId, status, now);
}

/** Applies (and forgets) what the peer already said about a message just stored as sent. */
export function applyEarlyReceipts(
  ctx: CoreContext,
  conversationId: string,
  messageId: string,
  peer: string,
  emit: (event: MessagingEvent) => void,
): void {
  const row = ctx.db
    .prepare('SELECT status FROM early_receipts WHERE message_id = ? AND from_account_id = ?')
    .get(messageId, peer) as { status: 'delivered' | 'read' } | undefined;
  if (!row) return;
  ctx.db
    .prepare('DELETE FROM early_receipts WHERE message_id = ? AND from_account_id = ?')
    .run(messageId, peer);
  if (!ctx.repos.messages.updateStatus(messageId, row.status)) return;
  emit({
    type: 'message.status',
    conversationId,
    messageId,
    status: row.status,
    failureReason: null,
  });
}
