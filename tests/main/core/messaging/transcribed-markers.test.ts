import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWorld, eventually, type Staff, type World } from './messaging-harness.js';

let world: World;
beforeEach(async () => {
  world = await createWorld();
});
afterEach(async () => {
  await world.cleanup();
});

const marker =
  /^(\d+) messages? transcribed into the record by Dr A Patel at \d\d:\d\d on \d\d-\w{3}-\d{4} and deleted\.$/;

/** Reception asks three times, the GP answers twice, interleaved: R1 G1 R2 G2 R3. */
async function exchange(reception: Staff, gp: Staff) {
  const ids: string[] = [];
  const say = async (from: Staff, to: Staff, text: string) => {
    const sent = await from.sendTo(to, text);
    ids.push(sent.id);
    await eventually(() => to.texts(from).includes(text), `"${text}" arrives`);
  };
  await say(reception, gp, 'R1 Mrs X asks about paracetamol');
  await say(gp, reception, 'G1 Which tablets is she on?');
  await say(reception, gp, 'R2 Sertraline 50 mg');
  await say(gp, reception, 'G2 Paracetamol is fine with that');
  await say(reception, gp, 'R3 Thanks, will let her know');
  const conversation = gp.profile.repositories.conversations.findDirect(reception.accountId)!;
  return { ids, conversationId: conversation.id };
}

describe('transcribed runs leave a marker on every device', () => {
  it('2 of 5 messages transcribed: the other person sees a marker in their place, not a silent vanish', async () => {
    const reception = await world.enrol('Reception Desk', 'reception');
    const gp = await world.enrol('Dr A Patel');
    reception.core.start();
    gp.core.start();
    const { ids, conversationId } = await exchange(reception, gp);

    await gp.core.deleteForEveryone(conversationId, [ids[2]!, ids[3]!], 'transcribed');
    const expected = (texts: string[]) => {
      expect(texts).toHaveLength(4);
      expect(texts.slice(0, 2)).toEqual([
        'R1 Mrs X asks about paracetamol',
        'G1 Which tablets is she on?',
      ]);
      expect(texts[2]).toMatch(marker);
      expect(marker.exec(texts[2]!)?.[1]).toBe('2');
      expect(texts[3]).toBe('R3 Thanks, will let her know');
    };
    expected(gp.texts(reception));
    await eventually(() => reception.texts(gp).length === 4, 'deleted on the peer, with a marker');
    expected(reception.texts(gp));
    const [notice] = reception.profile.repositories.messages
      .pageAfter(
        reception.profile.repositories.conversations.findDirect(gp.accountId)!.id,
        null,
        10,
      )
      .filter((m) => m.kind === 'notice');
    expect(notice).toMatchObject({ senderAccountId: gp.accountId, readAt: null });
  });

  it('a selection in two runs gets two markers, each in its place', async () => {
    const reception = await world.enrol('Reception Desk', 'reception');
    const gp = await world.enrol('Dr A Patel');
    reception.core.start();
    gp.core.start();
    const { ids, conversationId } = await exchange(reception, gp);
    await gp.core.deleteForEveryone(conversationId, [ids[1]!, ids[3]!], 'transcribed');
    await eventually(
      () => reception.texts(gp).filter((t) => marker.test(t)).length === 2,
      'two markers on the peer',
    );
    const texts = reception.texts(gp);
    expect(texts[0]).toBe('R1 Mrs X asks about paracetamol');
    expect(texts[1]).toMatch(/^1 message transcribed/);
    expect(texts[2]).toBe('R2 Sertraline 50 mg');
    expect(texts[3]).toMatch(/^1 message transcribed/);
    expect(texts[4]).toBe('R3 Thanks, will let her know');
  });
});

describe("a peer's transcribed delete of messages it did not write", () => {
  it("is refused unless the peer's directory role is clinical: a receptionist cannot delete a GP's advice", async () => {
    const reception = await world.enrol('Reception Desk', 'reception');
    const gp = await world.enrol('Dr A Patel');
    reception.core.start();
    gp.core.start();
    const { ids } = await exchange(reception, gp);
    const deskConversation = reception.profile.repositories.conversations.findDirect(gp.accountId)!;
    // The receptionist's device asks to delete her question and the GP's answer.
    await reception.core.deleteForEveryone(deskConversation.id, [ids[2]!, ids[3]!], 'transcribed');
    await eventually(
      () => gp.profile.repositories.messages.get(ids[2]!) === null,
      "her own message goes on the GP's device",
    );
    expect(gp.profile.repositories.messages.get(ids[3]!)?.body).toBe(
      'G2 Paracetamol is fine with that',
    );
    expect(
      gp.texts(reception).some((t) => /asked to delete 1 message not written by them/.test(t)),
    ).toBe(true);
    const refused = gp.profile.repositories.audit
      .list()
      .find((e) => e.action === 'messages_delete_refused');
    expect(refused).toMatchObject({ actorAccountId: reception.accountId, messageIds: [ids[3]] });
  });

  it("a delete with reason 'sender' removes only the peer's own messages", async () => {
    const reception = await world.enrol('Reception Desk', 'reception');
    const gp = await world.enrol('Dr A Patel');
    reception.core.start();
    gp.core.start();
    const { ids } = await exchange(reception, gp);
    const gpConversation = gp.profile.repositories.conversations.findDirect(reception.accountId)!;
    await gp.core.deleteForEveryone(gpConversation.id, [ids[0]!, ids[1]!], 'sender');
    await eventually(
      () => reception.profile.repositories.messages.get(ids[1]!) === null,
      "the GP's own message goes",
    );
    expect(reception.profile.repositories.messages.get(ids[0]!)).not.toBeNull();
  });
});
