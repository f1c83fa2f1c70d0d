import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../../server/log.js';
import { startRelay, type RunningRelay } from '../../../../server/relay.js';
import { enrolProfile } from '../../../../main/core/messaging/enrolment.js';
import { RoleMessagesRepository } from '../../../../main/core/db/repositories/role-messages-repository.js';
import { roleOfMessage } from '../../../../main/core/roles/role-message-view.js';
import { RoleService } from '../../../../main/core/roles/role-service.js';
import { clockTime } from '../../../../shared/roles/role-lines.js';
import { eventually, Staff } from '../messaging/messaging-harness.js';
import { makeTempDir, newStore, PASSCODE } from '../helpers/temp-profiles.js';

const org = 'Riverside Surgery';

function received(member: Staff, text: string) {
  return (
    (member.profile.db
      .prepare(`SELECT id FROM messages WHERE body = ? AND direction = 'incoming'`)
      .pluck()
      .get(text) as string | undefined) ?? null
  );
}

function view(member: Staff, messageId: string) {
  return roleOfMessage(
    new RoleMessagesRepository(member.profile.db),
    member.profile.repositories.messages.get(messageId)!,
    {
      peerName: null,
      nameOf: (id) => member.profile.repositories.contacts.get(id)?.displayName ?? id,
    },
  );
}

describe('escalation reaches whoever holds the escalation role at the deadline', () => {
  const temp = makeTempDir('pmsg-roles-later-');
  let relay: RunningRelay | null = null;
  const staff: Staff[] = [];
  afterEach(async () => {
    for (const member of staff) member.close();
    await relay?.close();
    temp.cleanup();
  });

  it('the escalation holder changes after sending, the sender’s PC is off: the new holder gets it, and everyone sees who acknowledged', async () => {
    let now = Date.now();
    relay = await startRelay({
      dataDir: `${temp.dir}/relay`,
      port: 0,
      logger: silentLogger,
      clock: () => now,
    });
    const create = (name: string, escalateAfterMs: number | null, escalateTo: string | null) =>
      relay!.roles.createRole({ org, name, escalateAfterMs, escalateTo, now });
    await create('All clinicians', null, null);
    await create('Duty doctor', 600_000, 'All clinicians');
    const store = newStore(`${temp.dir}/profiles`);
    const enrol = async (name: string, role: 'clinician' | 'reception' | 'nurse') => {
      const issued = await relay!.enrol({ displayName: name, role, org });
      const profile = await store.create({ label: name, passcode: PASSCODE });
      const account = await enrolProfile(profile, { serverUrl: relay!.url, code: issued.code });
      const member = new Staff(name, store, profile, account.accountId);
      staff.push(member);
      return member;
    };
    const reception = await enrol('Reception Desk', 'reception');
    const patel = await enrol('Dr A Patel', 'clinician');
    const nurse = await enrol('Nurse B Jones', 'nurse');
    const khan = await enrol('Dr C Khan', 'clinician');
    await new RoleService(patel.core).setDuty('Duty doctor', true);
    await new RoleService(nurse.core).setDuty('All clinicians', true);

    reception.core.start();
    const text = 'Urgent: the care home needs a call about Mr Green';
    const sent = await new RoleService(reception.core).send('Duty doctor', text, { urgent: true });
    expect(sent.escalation?.holders).toEqual(['Nurse B Jones']);
    await reception.core.whenSent(sent.holders[0]!.messageId);
    reception.close(); // the reception PC is switched off

    // The nurse goes home; Dr Khan now covers All clinicians. Nobody sealed a copy for him.
    await new RoleService(nurse.core).setDuty('All clinicians', false);
    await new RoleService(khan.core).setDuty('All clinicians', true);
    patel.core.start();
    khan.core.start();
    await eventually(() => received(patel, text) !== null, 'Dr Patel has the message');
    const patelRoles = new RoleService(patel.core, () => now);
    // Before the deadline it learns the deadline, and there is nothing to re-seal.
    expect(await patelRoles.syncReceivedAlerts()).toEqual({
      changed: [sent.alertId],
      resealed: 0,
    });
    expect(view(patel, received(patel, text)!)!.ack?.state).toBe('waiting');

    now += 11 * 60_000;
    await relay.sweepEscalations();
    // Dr Patel's PC (which has the message, and did not acknowledge) re-seals it to Dr Khan.
    const synced = await patelRoles.syncReceivedAlerts();
    expect(synced).toEqual({ changed: [sent.alertId], resealed: 1 });
    await eventually(() => received(khan, text) !== null, 'Dr Khan receives the escalation');
    const atKhan = received(khan, text)!;
    expect(view(khan, atKhan)).toMatchObject({
      name: 'All clinicians',
      escalatedFrom: 'Duty doctor',
      recipients: 'To All clinicians (escalated from Duty doctor), first sent by Reception Desk',
      ack: { state: 'waiting', canAcknowledge: true },
    });
    expect(khan.profile.repositories.messages.get(atKhan)!.urgent).toBe(true);
    // A second pass re-seals nothing: the relay lets each holder have one copy.
    expect((await patelRoles.syncReceivedAlerts()).resealed).toBe(0);

    // The nurse's PC comes on: the copy sealed for her at sending is there as well.
    nurse.core.start();
    await eventually(() => received(nurse, text) !== null, 'the nurse gets the held copy');

    // Dr Khan acknowledges; Dr Patel and the nurse learn it without pressing anything.
    const acked = await new RoleService(khan.core, () => now).acknowledge(atKhan);
    expect(acked).toMatchObject({ state: 'acknowledged', acknowledgedByName: 'Dr C Khan' });
    const patelSync = await patelRoles.syncReceivedAlerts();
    expect(patelSync.changed).toEqual([sent.alertId]);
    const atPatel = view(patel, received(patel, text)!)!;
    expect(atPatel.ack).toEqual({
      state: 'acknowledged',
      line: `Escalated to All clinicians at ${clockTime(now)}; Acknowledged by Dr C Khan at ${clockTime(now)}`,
      canAcknowledge: false,
    });
    await new RoleService(nurse.core, () => now).syncReceivedAlerts();
    expect(view(nurse, received(nurse, text)!)!.ack).toMatchObject({
      state: 'acknowledged',
      canAcknowledge: false,
    });
    // Settled: nothing more to ask the relay about.
    expect(await patelRoles.syncReceivedAlerts()).toEqual({ changed: [], resealed: 0 });
  });
});
