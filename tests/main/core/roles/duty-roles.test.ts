import { afterEach, describe, expect, it } from 'vitest';
import { isMessengerError } from '../../../../shared/errors.js';
import { ackLine, clockTime } from '../../../../shared/roles/role-lines.js';
import { silentLogger } from '../../../../server/log.js';
import { startRelay, type RunningRelay } from '../../../../server/relay.js';
import { enrolProfile } from '../../../../main/core/messaging/enrolment.js';
import { RoleMessagesRepository } from '../../../../main/core/db/repositories/role-messages-repository.js';
import { RoleService } from '../../../../main/core/roles/role-service.js';
import { createWorld, eventually, Staff, type World } from '../messaging/messaging-harness.js';
import { makeTempDir, newStore, PASSCODE } from '../helpers/temp-profiles.js';

const org = 'Riverside Surgery';

/** The message a member received from a sender, by text. */
function received(member: Staff, from: Staff, text: string) {
  const conversation = member.profile.repositories.conversations.findDirect(from.accountId);
  if (!conversation) return null;
  return (
    member.profile.repositories.messages
      .pageAfter(conversation.id, null, 1000)
      .find((m) => m.body === text && m.direction === 'incoming') ?? null
  );
}

async function makeRoles(relay: RunningRelay, escalateAfterMs = 600_000) {
  const all = await relay.roles.createRole({
    org,
    name: 'All clinicians',
    escalateAfterMs: null,
    escalateTo: null,
    now: Date.now(),
  });
  const duty = await relay.roles.createRole({
    org,
    name: 'Duty doctor',
    escalateAfterMs,
    escalateTo: 'All clinicians',
    now: Date.now(),
  });
  return { all, duty };
}

describe('messages to a duty role, through a real relay', () => {
  let world: World;
  afterEach(async () => {
    await world.cleanup();
  });

  it('follows the role across a handover, and is acknowledged (twice at once is fine)', async () => {
    world = await createWorld();
    await makeRoles(world.relay.relay);
    const reception = await world.enrol('Reception Desk', 'reception');
    const patel = await world.enrol('Dr A Patel');
    const khan = await world.enrol('Dr C Khan');
    for (const member of [reception, patel, khan]) member.core.start();
    const roles = new RoleService(reception.core);
    const patelRoles = new RoleService(patel.core);
    const khanRoles = new RoleService(khan.core);
    await patelRoles.setDuty('duty doctor', true);

    const directory = await roles.list();
    expect(directory.find((r) => r.name === 'Duty doctor')?.holders).toEqual([
      expect.objectContaining({ accountId: patel.accountId, displayName: 'Dr A Patel' }),
    ]);

    const first = await roles.send('Duty doctor', 'Mrs Smith is asking for a call back', {
      urgent: true,
    });
    expect(first.holders.map((h) => h.displayName)).toEqual(['Dr A Patel']);
    expect(first.escalation).toMatchObject({ to: 'All clinicians', holders: [] });
    await eventually(
      () => received(patel, reception, 'Mrs Smith is asking for a call back') !== null,
      'Dr Patel receives',
    );
    const atPatel = received(patel, reception, 'Mrs Smith is asking for a call back')!;
    expect(atPatel.urgent).toBe(true);
    expect(patelRoles.roleOf(atPatel.id)).toMatchObject({
      roleName: 'Duty doctor',
      alert: { state: 'waiting' },
    });
    const acked = await patelRoles.acknowledge(atPatel.id);
    expect(acked).toMatchObject({ state: 'acknowledged', acknowledgedBy: patel.accountId });

    expect(await roles.refreshAlerts()).toEqual([first.alertId]);
    const seen = roles.roleOf(first.holders[0]!.messageId)!;
    expect(seen.alert).toMatchObject({ state: 'acknowledged', acknowledgedByName: 'Dr A Patel' });
    expect(ackLine(seen.alert!)).toBe(
      `Acknowledged by Dr A Patel at ${clockTime(seen.alert!.acknowledgedAt!)}`,
    );

    // Handover in the middle of the conversation: new messages follow the role.
    await patelRoles.setDuty('Duty doctor', false);
    await khanRoles.setDuty('Duty doctor', true);
    const second = await roles.send('Duty doctor', 'Bloods for Mr Brown are back');
    expect(second.holders.map((h) => h.displayName)).toEqual(['Dr C Khan']);
    expect(second.alertId).toBeNull();
    await eventually(
      () => received(khan, reception, 'Bloods for Mr Brown are back') !== null,
      'Dr Khan receives',
    );
    expect(received(patel, reception, 'Bloods for Mr Brown are back')).toBeNull();

    // Both on duty, both acknowledge at once: one acknowledgement wins, neither fails.
    await patelRoles.setDuty('Duty doctor', true);
    const third = await roles.send('Duty doctor', 'Urgent: chest pain on the phone', {
      urgent: true,
    });
    expect(third.holders.map((h) => h.displayName).sort()).toEqual(['Dr A Patel', 'Dr C Khan']);
    await eventually(
      () =>
        received(khan, reception, 'Urgent: chest pain on the phone') !== null &&
        received(patel, reception, 'Urgent: chest pain on the phone') !== null,
      'both receive',
    );
    const [a, b] = await Promise.all([
      patelRoles.acknowledge(received(patel, reception, 'Urgent: chest pain on the phone')!.id),
      khanRoles.acknowledge(received(khan, reception, 'Urgent: chest pain on the phone')!.id),
    ]);
    expect(a.state).toBe('acknowledged');
    expect(b.acknowledgedBy).toBe(a.acknowledgedBy);
    await roles.refreshAlerts();
    for (const holder of third.holders) {
      expect(roles.roleOf(holder.messageId)?.alert?.acknowledgedBy).toBe(a.acknowledgedBy);
    }
  });

  it('with nobody on duty, tells the sender first and sends to the escalation target (audited)', async () => {
    world = await createWorld();
    await makeRoles(world.relay.relay);
    const reception = await world.enrol('Reception Desk', 'reception');
    const nurse = await world.enrol('Nurse B Jones', 'nurse');
    for (const member of [reception, nurse]) member.core.start();
    await new RoleService(nurse.core).setDuty('All clinicians', true);
    const roles = new RoleService(reception.core);

    const plan = await roles.plan('Duty doctor');
    expect(plan.redirectedTo?.name).toBe('All clinicians');
    expect(plan.holders.map((h) => h.displayName)).toEqual(['Nurse B Jones']);
    const refused = await roles.send('Duty doctor', 'Anyone free?').catch((e: unknown) => e);
    expect(isMessengerError(refused, 'conflict')).toBe(true);
    expect((refused as Error).message).toContain('Nobody is on duty as Duty doctor');
    expect((refused as Error).message).toContain('All clinicians (Nurse B Jones)');
    expect(reception.profile.db.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(0);

    const sent = await roles.send('Duty doctor', 'Anyone free?', { toEscalation: true });
    expect(sent).toMatchObject({ role: { name: 'All clinicians' }, redirectedFrom: 'Duty doctor' });
    await eventually(() => received(nurse, reception, 'Anyone free?') !== null, 'nurse receives');
    const atNurse = received(nurse, reception, 'Anyone free?')!;
    expect(new RoleService(nurse.core).roleOf(atNurse.id)).toMatchObject({
      roleName: 'All clinicians',
      escalatedFrom: 'Duty doctor',
      alert: null,
    });
    const audit = reception.profile.repositories.audit
      .list()
      .filter((e) => e.action === 'role_message_redirected');
    expect(audit[0]?.messageIds).toEqual([sent.holders[0]!.messageId]);
  });
});

describe('escalation with the sender switched off, across a relay restart', () => {
  const temp = makeTempDir('pmsg-roles-');
  let relay: RunningRelay | null = null;
  const staff: Staff[] = [];
  afterEach(async () => {
    for (const member of staff) member.close();
    await relay?.close();
    temp.cleanup();
  });

  it('releases the sealed copy to All clinicians at the deadline; the sender learns it later', async () => {
    let now = Date.now();
    const clock = () => now;
    const dataDir = `${temp.dir}/relay`;
    relay = await startRelay({ dataDir, port: 0, logger: silentLogger, clock });
    const port = relay.port;
    await makeRoles(relay);
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
    await new RoleService(patel.core).setDuty('Duty doctor', true);
    await new RoleService(nurse.core).setDuty('All clinicians', true);

    reception.core.start();
    const sent = await new RoleService(reception.core).send(
      'Duty doctor',
      'Urgent: please call the care home',
      { urgent: true },
    );
    expect(sent.escalation).toEqual({
      to: 'All clinicians',
      at: now + 600_000,
      holders: ['Nurse B Jones'],
    });
    await reception.core.whenSent(sent.holders[0]!.messageId);
    // The reception PC is switched off.
    reception.close();

    // Nine minutes on the relay's clock: the nurse has nothing.
    now += 9 * 60_000;
    await relay.sweepEscalations();
    nurse.core.start();
    await nurse.core.events.next('queue.drained');
    expect(received(nurse, reception, 'Urgent: please call the care home')).toBeNull();
    nurse.core.stop();

    // The relay is down across the deadline and comes back two minutes after it.
    await relay.close();
    now += 3 * 60_000;
    relay = await startRelay({ dataDir, port, logger: silentLogger, clock });
    await nurse.reopen();
    nurse.core.start();
    await eventually(
      () => received(nurse, reception, 'Urgent: please call the care home') !== null,
      'the escalated copy reaches the nurse',
    );
    const atNurse = received(nurse, reception, 'Urgent: please call the care home')!;
    const nurseRoles = new RoleService(nurse.core);
    expect(nurseRoles.roleOf(atNurse.id)).toMatchObject({
      roleName: 'All clinicians',
      escalatedFrom: 'Duty doctor',
      alert: { state: 'waiting' },
    });

    // The reception PC comes back on: it learns of the escalation from the relay.
    await reception.reopen();
    const roles = new RoleService(reception.core);
    expect(await roles.refreshAlerts()).toEqual([sent.alertId]);
    const escalated = roles.roleOf(sent.holders[0]!.messageId)!.alert!;
    expect(escalated).toMatchObject({ state: 'escalated', escalatedTo: 'All clinicians' });
    expect(ackLine(escalated)).toBe(`Escalated to All clinicians at ${clockTime(now)}`);
    expect(new RoleMessagesRepository(reception.profile.db).unsettledOutgoing()).toHaveLength(1);

    // The nurse acknowledges the escalated copy; the sender sees both.
    await nurseRoles.acknowledge(atNurse.id);
    await roles.refreshAlerts();
    const settled = roles.roleOf(sent.holders[0]!.messageId)!.alert!;
    expect(settled).toMatchObject({ state: 'acknowledged', acknowledgedByName: 'Nurse B Jones' });
    expect(ackLine(settled)).toMatch(
      /^Escalated to All clinicians at \d\d:\d\d; Acknowledged by Nurse B Jones at \d\d:\d\d$/,
    );
    expect(new RoleMessagesRepository(reception.profile.db).unsettledOutgoing()).toHaveLength(0);
  });
});
