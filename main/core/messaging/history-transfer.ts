import type { MessageRecord } from '../db/repositories/messages-repository.js';
import { expiryOfNewMessage } from '../retention/expiry-policy.js';
import { encodeContent, type Content, type SyncEvent } from './content-codec.js';
import type { CoreContext } from './core-context.js';
import type { MessagingEvent } from './messaging-events.js';
import { newMessageId } from './message-ids.js';

// A newly linked PC gets the recent history of the person's direct conversations from the PC
// that approved it: `sync` content of type `history` over the own-device Signal sessions, end to
// end encrypted through the relay like any message. Everything is queued in the outbox in one
// transaction with the approval's record here, so a killed sender resumes from the outbox; the
// receiver stores each chunk in its receive transaction before the relay's copy is acknowledged,
// and skips messages it has, so a killed receiver is sent the rest again and stores each once.

type HistoryMessage = Extract<SyncEvent, { type: 'history' }>['messages'][number];

/** A chunk's text stays well inside one envelope (64 KiB of ciphertext, §1.3). */
const chunkChars = 24_000;
const pageSize = 500;

function toHistory(m: MessageRecord): HistoryMessage {
  return {
    messageId: m.id,
    direction: m.direction === 'outgoing' ? 'outgoing' : 'incoming',
    text: m.body,
    ...(m.urgent ? { urgent: true } : {}),
    sentAt: m.sentAt,
    ...(m.direction === 'incoming' && m.readAt !== null ? { read: true } : {}),
  };
}

/** Splits a conversation's messages into chunks of at most chunkChars characters of text. */
function chunks(messages: readonly HistoryMessage[]): HistoryMessage[][] {
  const out: HistoryMessage[][] = [];
  let current: HistoryMessage[] = [];
  let size = 0;
  for (const m of messages) {
    const cost = m.text.length + 200;
    if (current.length > 0 && (size + cost > chunkChars || current.length >= pageSize)) {
      out.push(current);
      current = [];
      size = 0;
    }
    current.push(m);
    size += cost;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/**
 * Queues the recent history (every text message still held here: retention has removed the
 * rest) of the person's direct conversations for their other devices. Must run inside a
 * transaction; returns how many chunks were queued.
 */
export function enqueueHistory(ctx: CoreContext, now: number): number {
  let queued = 0;
  for (const conversation of ctx.repos.conversations.list()) {
    const peer = conversation.peerAccountId;
    if (conversation.kind !== 'direct' || peer === null) continue;
    const messages: HistoryMessage[] = [];
    let cursor = null;
    for (;;) {
      const page = ctx.repos.messages.pageAfter(conversation.id, cursor, pageSize);
      for (const m of page) {
        if (m.kind === 'text' && m.body !== '' && m.status !== 'failed' && m.status !== 'pending') {
          messages.push(toHistory(m));
        }
      }
      const last = page[page.length - 1];
      if (!last || page.length < pageSize) break;
      cursor = { sentAt: last.sentAt, id: last.id };
    }
    for (const chunk of chunks(messages)) {
      const content = {
        v: 1,
        id: newMessageId(now),
        sentAt: now,
        kind: 'sync',
        peer,
        sync: { type: 'history', messages: chunk },
      } as Content;
      ctx.repos.outbox.enqueue(
        {
          kind: 'control',
          recipientAccountId: ctx.account.accountId,
          payload: encodeContent(content),
        },
        now,
      );
      queued += 1;
    }
  }
  ctx.logger.info('history_transfer_queued', { chunks: queued });
  return queued;
}

/** Stores a chunk of history from another of the person's devices, skipping what is here. */
export function applyHistory(
  ctx: CoreContext,
  conversationId: string,
  peer: string,
  messages: readonly HistoryMessage[],
  fromDevice: number,
  emit: (event: MessagingEvent) => void,
): void {
  const now = ctx.now();
  let added = 0;
  let latest = 0;
  for (const m of messages) {
    if (ctx.repos.messages.get(m.messageId) || ctx.repos.messages.wasDeleted(m.messageId)) continue;
    const expiresAt = expiryOfNewMessage(ctx.repos, conversationId, m.sentAt);
    // Already past its retention here: it would be deleted at once, so it is never stored.
    if (expiresAt !== null && expiresAt <= now) continue;
    const outgoing = m.direction === 'outgoing';
    ctx.repos.messages.insert({
      id: m.messageId,
      conversationId,
      direction: outgoing ? 'outgoing' : 'incoming',
      senderAccountId: outgoing ? ctx.account.accountId : peer,
      senderDeviceId: outgoing ? fromDevice : null,
      body: m.text,
      urgent: m.urgent === true,
      // No receipts are sent for history: the peer had them from the device that got it.
      status: outgoing ? 'sent' : m.read ? 'read' : 'delivered',
      sentAt: m.sentAt,
      receivedAt: now,
      expiresAt,
    });
    if (!outgoing && m.read) ctx.repos.messages.markRead([m.messageId], now);
    latest = Math.max(latest, m.sentAt);
    added += 1;
  }
  if (added === 0) return;
  ctx.repos.conversations.touch(conversationId, latest);
  ctx.logger.info('history_chunk_stored', { added, fromDeviceId: fromDevice });
  emit({ type: 'conversation.updated', conversationId });
}
