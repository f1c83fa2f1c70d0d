// A backlog waiting on the relay when a PC connects (the weekend): its delivered receipts wait in
// the outbox, committed with their messages, until the whole backlog is stored, then go; a lock in
// the middle of it loses neither a message nor a receipt.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWorld, eventually, type Staff, type World } from './messaging-harness.js';

let world: World;
beforeEach(async () => {
  world = await createWorld();
});
afterEach(async () => {
  await world.cleanup();
});

/** More than the relay's window of 100 unacked envelopes, so the backlog comes in several batches. */
const backlog = 160;

async function queueBacklog(reception: Staff, gp: Staff) {
  reception.core.start();
  const sent: { id: string }[] = [];
  for (let i = 0; i < backlog; i += 1) sent.push(await reception.sendTo(gp, `weekend ${i}`));
  await eventually(
    () => sent.every((m) => reception.profile.repositories.messages.get(m.id)?.status === 'sent'),
    'the backlog queued on the relay',
  );
  return sent;
}

describe('a backlog on connect', () => {
  it('sends its delivered receipts once it is all stored, merged, and every one arrives', async () => {
    const reception = await world.enrol('Reception Desk', 'reception');
    const gp = await world.enrol('Dr A Patel');
    const sent = await queueBacklog(reception, gp);
    const deliveredBeforeDrain: string[] = [];
    let drained = false;
    reception.core.events.on((e) => {
      if (e.type === 'message.status' && e.status === 'delivered' && !drained) {
        deliveredBeforeDrain.push(e.messageId);
      }
    });
    const drain = gp.core.events.next('queue.drained').then(() => (drained = true));
    gp.core.start();
    await drain;
    expect(gp.texts(reception)).toHaveLength(backlog);
    expect(deliveredBeforeDrain).toEqual([]);
    await eventually(
      () =>
        sent.every(
          (m) => reception.profile.repositories.messages.get(m.id)?.status === 'delivered',
        ),
      'delivered receipts for the whole backlog',
    );
  });

  it('a lock in the middle of the backlog loses no message and no receipt', async () => {
    const reception = await world.enrol('Reception Desk', 'reception');
    const gp = await world.enrol('Dr A Patel');
    const sent = await queueBacklog(reception, gp);
    const firstStored = gp.core.events.next('message.added');
    gp.core.start();
    await firstStored;
    await gp.reopen();
    expect(gp.texts(reception).length).toBeLessThan(backlog);
    gp.core.start();
    await eventually(() => gp.texts(reception).length === backlog, 'the rest of the backlog');
    expect(gp.texts(reception)).toEqual(sent.map((_, i) => `weekend ${i}`));
    await eventually(
      () =>
        sent.every(
          (m) => reception.profile.repositories.messages.get(m.id)?.status === 'delivered',
        ),
      'delivered receipts for the whole backlog',
    );
  });
});
