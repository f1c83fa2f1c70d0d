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
