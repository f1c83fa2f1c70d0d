import { afterEach, describe, expect, it } from 'vitest';
import { RoleService } from '../../../../main/core/roles/role-service.js';
import { roleOfMessage } from '../../../../main/core/roles/role-message-view.js';
import { RoleMessagesRepository } from '../../../../main/core/db/repositories/role-messages-repository.js';
import { retentionDaysSetting } from '../../../../main/core/retention/expiry-policy.js';
import { createWorld, eventually, type Staff, type World } from '../messaging/messaging-harness.js';

const org = 'Riverside Surgery';

/** The messages a member has from a sender, in the order the conversation shows them. */
function conversationWith(member: Staff, from: Staff) {
  const conversation = member.profile.repositories.conversations.findDirect(from.accountId);
  if (!conversation) return [];
  return member.profile.repositories.messages.pageAfter(conversation.id, null, 1000);
}

function roleLine(member: Staff, messageId: string) {
  const record = member.profile.repositories.messages.get(messageId)!;
  return roleOfMessage(new RoleMessagesRepository(member.profile.db), record, {
    peerName: null,
    nameOf: (id) => member.profile.repositories.contacts.get(id)?.displayName ?? id,
  });
}

describe('a new holder sees the role conversation’s recent history', () => {
  let world: World;
  afterEach(async () => {
    await world.cleanup();
  });

  it('handover in the middle of a conversation: the earlier messages, in order, within retention only', async () => {
    world = await createWorld();
    await world.relay.relay.roles.createRole({
      org,
      name: 'Duty doctor',
      escalateAfterMs: null,
      escalateTo: null,
      now: Date.now(),
    });
    const reception = await world.enrol('Reception Desk', 'reception');
    const patel = await world.enrol('Dr A Patel');
    const khan = await world.enrol('Dr C Khan');
    for (const member of [reception, patel, khan]) member.core.start();
    khan.profile.repositories.settings.set(retentionDaysSetting, 1, Date.now());
    const roles = new RoleService(reception.core);
    await new RoleService(patel.core).setDuty('Duty doctor', true);

    const expired = await roles.send('Duty doctor', 'Message already past retention');
    await roles.send('Duty doctor', 'Mrs Smith is asking for a call back', { requestAck: true });
    await roles.send('Duty doctor', 'She says it is about her INR');
    await eventually(() => conversationWith(patel, reception).length === 3, 'Dr Patel has three');
    // Retention's time for the first has come on the reception PC (its sweep has not run yet):
    // it is not history any more and must not be handed on.
    reception.profile.db
      .prepare('UPDATE messages SET expires_at = ? WHERE id = ?')
      .run(Date.now() - 1, expired.holders[0]!.messageId);

    // Handover: Dr Patel goes off duty, Dr Khan comes on; the next message follows the role.
    await new RoleService(patel.core).setDuty('Duty doctor', false);
    await new RoleService(khan.core).setDuty('Duty doctor', true);
    const next = await roles.send('Duty doctor', 'Bloods for Mr Brown are back');
    expect(next.holders.map((h) => h.displayName)).toEqual(['Dr C Khan']);
    await eventually(() => conversationWith(khan, reception).length === 3, 'Dr Khan has three');
    const atKhan = conversationWith(khan, reception);
    expect(atKhan.map((m) => m.body)).toEqual([
      'Mrs Smith is asking for a call back',
      'She says it is about her INR',
      'Bloods for Mr Brown are back',
    ]);
    expect(atKhan.map((m) => m.sentAt)).toEqual([...atKhan.map((m) => m.sentAt)].sort());
    const earlier = roleLine(khan, atKhan[0]!.id)!;
    expect(earlier).toMatchObject({
      name: 'Duty doctor',
      history: true,
      recipients: 'Earlier, to Duty doctor → Dr A Patel',
      // It still waits for acknowledgement: the new holder can acknowledge it.
      ack: { state: 'waiting', canAcknowledge: true },
    });
    // Retention counts from when it was first sent: history never outlives the policy.
    expect(atKhan[0]!.expiresAt).toBe(atKhan[0]!.sentAt + 86_400_000);
    expect(atKhan[2]!.expiresAt).toBe(atKhan[2]!.receivedAt! + 86_400_000);
    expect(roleLine(khan, atKhan[2]!.id)?.history).toBeUndefined();
    expect(conversationWith(patel, reception)).toHaveLength(3);

    // The history goes once: another message brings nothing more.
    await roles.send('Duty doctor', 'Thank you');
    await eventually(() => conversationWith(khan, reception).length === 4, 'Dr Khan has four');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(conversationWith(khan, reception).map((m) => m.body)).toHaveLength(4);

    // Dr Patel back on duty: the sender's PC hands over what he missed without a new message.
    await new RoleService(patel.core).setDuty('Duty doctor', true);
    expect(await roles.shareHistory()).toEqual({ holders: 1, messages: 2 });
    await eventually(() => conversationWith(patel, reception).length === 5, 'Dr Patel catches up');
    expect(conversationWith(patel, reception).map((m) => m.body)).toEqual([
      'Message already past retention',
      'Mrs Smith is asking for a call back',
      'She says it is about her INR',
      'Bloods for Mr Brown are back',
      'Thank you',
    ]);
    expect(await roles.shareHistory()).toEqual({ holders: 0, messages: 0 });
  });
});
