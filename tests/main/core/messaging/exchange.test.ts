import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWorld, eventually, type World } from './messaging-harness.js';

let world: World;
beforeEach(async () => {
  world = await createWorld();
});
afterEach(async () => {
  await world.cleanup();
});

describe('messaging between staff through a real relay', () => {
  it('three staff exchange messages both ways, with delivered and read receipts', async () => {
    const reception = await world.enrol('Reception Desk', 'reception');
    const gp = await world.enrol('Dr A Patel');
    const nurse = await world.enrol('Nurse B Jones', 'nurse');
    for (const member of [reception, gp, nurse]) member.core.start();

    const first = await reception.sendTo(gp, 'Can you call back Mrs Smith?');
    await reception.sendTo(nurse, 'Bloods at 10 for Mr Brown');
    await gp.sendTo(nurse, 'Please do a BP check');
    await eventually(() => gp.texts(reception).length === 1, 'gp receives');
    await gp.sendTo(reception, 'Yes, after surgery');
    await nurse.sendTo(reception, 'Done');
    await eventually(
      () =>
        reception.texts(gp).length === 2 &&
        reception.texts(nurse).length === 2 &&
        nurse.texts(gp).length === 1,
      'everyone receives',
    );
    expect(reception.texts(gp)).toEqual(['Can you call back Mrs Smith?', 'Yes, after surgery']);
    expect(nurse.texts(reception)).toEqual(['Bloods at 10 for Mr Brown', 'Done']);

    await eventually(
      () => reception.profile.repositories.messages.get(first.id)?.status === 'delivered',
      'delivered receipt',
    );
    const incoming = gp.profile.repositories.messages.get(first.id);
    expect(incoming?.direction).toBe('incoming');
    await gp.core.actions.markRead(incoming!.conversationId, first.id);
    await eventually(
      () => reception.profile.repositories.messages.get(first.id)?.status === 'read',
      'read receipt',
    );
    const statuses = reception.seen
      .filter((e) => e.type === 'message.status' && e.messageId === first.id)
      .map((e) => (e.type === 'message.status' ? e.status : null));
    expect(statuses).toEqual(['sent', 'delivered', 'read']);
  });
});
