import { randomBytes } from 'node:crypto';

let lastTime = 0;
let sequence = 0;

/**
 * A new message id: time-ordered so that ids sort in creation order (paging ties on sentAt are
 * broken by id), unguessable, and valid both as a content message id ([A-Za-z0-9_-]) and as a
 * relay clientMessageId. 9 base-36 time digits, 4 sequence digits, 12 random hex digits.
 */
export function newMessageId(now: number = Date.now()): string {
  if (now > lastTime) {
    lastTime = now;
    sequence = 0;
  } else {
    sequence += 1;
  }
  const time = lastTime.toString(36).padStart(9, '0');
  const seq = (sequence % 36 ** 4).toString(36).padStart(4, '0');
  return `${time}${seq}${randomBytes(6).toString('hex')}`;
}

let lastSentAt = 0;

/** The send time of a new message: the clock, but strictly increasing within this process. */
export function nextSentAt(now: number = Date.now()): number {
  lastSentAt = Math.max(now, lastSentAt + 1);
  return lastSentAt;
}

/**
 * The relay's clientMessageId for one outbox row carrying a message: the message id, a dot, and
 * the row id. Retries of the row reuse it (the relay drops a duplicate after a crash between its
 * 200 and our commit), while a resend after a session reset is a new row, so the relay queues it
 * again instead of dropping it as already sent. The recipient drops duplicates by message id.
 */
export function clientMessageIdFor(messageId: string, outboxId: number): string {
  const tagged = `${messageId}.${outboxId}`;
  return tagged.length <= 64 ? tagged : messageId;
}

/** The message id inside a clientMessageId (see clientMessageIdFor); null when it has none. */
export function messageIdOfClientMessageId(clientMessageId: string): string | null {
  const [messageId = ''] = clientMessageId.split('.');
  return /^[A-Za-z0-9_-]{8,64}$/.test(messageId) ? messageId : null;
}
