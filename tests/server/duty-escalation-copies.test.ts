import { createHash, randomBytes } from 'node:crypto';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { RunningRelay } from '../../server/relay.js';
import { describeBackends } from './relay-backends.js';
import {
  call,
  enrolNew,
  enrolWithCode,
  envelopeFor,
  FrameLog,
  type EnrolledDevice,
} from './relay-client.js';
import { startTestRelay, type TestRelay } from './test-relay.js';

// Escalation copies for holders who came on duty after the message was sent (docs/protocol.md
// §14, /v1/alerts/check and /v1/alerts/reseal), and held copies against the queue caps.

const org = 'Riverside Surgery';
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest();
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeBackends('escalation to holders who came on duty after sending', (backend) => {
  let test: TestRelay;
  let relay: RunningRelay;
  let manager: EnrolledDevice;
  let gp: EnrolledDevice;
  let nurse: EnrolledDevice;
  let khan: EnrolledDevice;
  let reception: EnrolledDevice;
  let roles: { all: string; duty: string };

  beforeEach(async () => {
    test = await startTestRelay({}, backend);
    relay = test.relay;
    const issued = await relay.enrol({ displayName: 'Practice Manager', role: 'manager', org });
    manager = await enrolWithCode(relay.url, issued.code);
    gp = await enrolNew(relay, 'Dr A Patel', org);
    nurse = await enrolNew(relay, 'Nurse B Jones', org);
    khan = await enrolNew(relay, 'Dr C Khan', org);
    reception = await enrolNew(relay, 'Reception Desk', org, 'reception');
    const put = (body: object) =>
      call(relay.url, 'PUT', '/v1/roles', { token: manager.token, body });
    const all = (await put({ name: 'All clinicians' })).json.roleId as string;
    const duty = (await put({ name: 'Duty doctor', escalateAfterMs: 1_000, escalateToRoleId: all }))
      .json.roleId as string;
    roles = { all, duty };
    const onDuty = (who: EnrolledDevice, roleId: string, on: boolean) =>
      call(relay.url, 'POST', `/v1/roles/${roleId}/duty`, {
        token: who.token,
        body: { onDuty: on },
      });
    await onDuty(gp, duty, true);
    await onDuty(nurse, all, true);
  });
  afterEach(async () => {
    await test.stop();
  });

  const duty = (who: EnrolledDevice, roleId: string, on: boolean) =>
    call(relay.url, 'POST', `/v1/roles/${roleId}/duty`, { token: who.token, body: { onDuty: on } });

  it('tells devices that have the message who lacks a copy; each gets one, once', async () => {
    const token = randomBytes(32);
    const id = randomBytes(16).toString('base64url');
    const created = await call(relay.url, 'POST', '/v1/alerts', {
      token: reception.token,
      body: {
        alertId: id,
        roleId: roles.duty,
        tokenHash: b64(sha(token)),
        copies: [
          {
            accountId: nurse.accountId,
            clientMessageId: 'held-1',
            messages: [envelopeFor(nurse, 'sealed for the nurse')],
          },
        ],
        recipients: [gp.accountId],
      },
    });
    expect(created.status).toBe(200);
    // The escalation role changes hands after sending: the nurse goes, Dr Khan comes on duty.
    await duty(nurse, roles.all, false);
    await duty(khan, roles.all, true);
    const check = (who: EnrolledDevice, tokenBytes = token) =>
      call(relay.url, 'POST', '/v1/alerts/check', {
        token: who.token,
        body: { alerts: [{ alertId: id, token: b64(tokenBytes) }] },
      });
    // A wrong token learns nothing.
    expect((await check(gp, randomBytes(32))).json.alerts).toEqual([]);

    await pause(1_100);
    await relay.sweepEscalations();
    const first = await check(gp);
    expect(first.json.alerts[0]).toMatchObject({ state: 'escalated', uncovered: [khan.accountId] });

    // Two devices that have the message re-seal at once: Dr Khan gets one copy.
    const reseal = (who: EnrolledDevice, text: string) =>
      call(relay.url, 'POST', '/v1/alerts/reseal', {
        token: who.token,
        body: {
          alertId: id,
          token: b64(token),
          copies: [
            {
              accountId: khan.accountId,
              clientMessageId: `resealed-${text}`,
              messages: [envelopeFor(khan, text)],
            },
          ],
        },
      });
    const [a, b] = await Promise.all([reseal(gp, 'from-gp'), reseal(nurse, 'from-nurse')]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect([...a.json.delivered, ...b.json.delivered]).toEqual([khan.accountId]);
    expect([...a.json.skipped, ...b.json.skipped]).toEqual([khan.accountId]);
    const socket = await FrameLog.open(relay.url, khan.token);
    await socket.until((log) => log.has('queue_empty'));
    const envelopes = socket.envelopes();
    expect(envelopes).toHaveLength(1);
    const winner = a.json.delivered.length === 1 ? gp : nurse;
    expect(envelopes[0]?.senderAccountId).toBe(winner.accountId);
    socket.socket.close();
    expect((await check(nurse)).json.alerts[0].uncovered).toEqual([]);

    // Nobody else may be sent a copy this way: the nurse is covered, the manager not on duty.
    const stray = await call(relay.url, 'POST', '/v1/alerts/reseal', {
      token: gp.token,
      body: {
        alertId: id,
        token: b64(token),
        copies: [
          {
            accountId: manager.accountId,
            clientMessageId: 'stray',
            messages: [envelopeFor(manager, 'not for you')],
          },
        ],
      },
    });
    expect(stray.json).toMatchObject({ delivered: [], skipped: [manager.accountId] });

    // Dr Khan acknowledges: every device that has the message learns who and when.
    const ack = await call(relay.url, 'POST', '/v1/alerts/ack', {
      token: khan.token,
      body: { alertId: id, token: b64(token) },
    });
    expect(ack.json.state).toBe('acknowledged');
    expect((await check(gp)).json.alerts[0]).toMatchObject({
      state: 'acknowledged',
      acknowledgedBy: khan.accountId,
      acknowledgedAt: ack.json.acknowledgedAt,
      uncovered: [],
    });
  });
});

describeBackends('held escalation copies and the queue caps', (backend) => {
  let test: TestRelay;
  afterEach(async () => {
    await test.stop();
  });

  it('a copy for a full queue stays held and goes once the device has room', async () => {
    // A device's queue holds 2 envelopes, and a sender has no reserve past it.
    test = await startTestRelay(
      { maxQueuedPerDevice: 2, maxQueuedPerSender: 10, queueReservedPerSender: 0 },
      backend,
    );
    const relay = test.relay;
    const issued = await relay.enrol({ displayName: 'Practice Manager', role: 'manager', org });
    const manager = await enrolWithCode(relay.url, issued.code);
    const gp = await enrolNew(relay, 'Dr A Patel', org);
    const nurse = await enrolNew(relay, 'Nurse B Jones', org);
    const reception = await enrolNew(relay, 'Reception Desk', org, 'reception');
    const put = (body: object) =>
      call(relay.url, 'PUT', '/v1/roles', { token: manager.token, body });
    const all = (await put({ name: 'All clinicians' })).json.roleId as string;
    const duty = (await put({ name: 'Duty doctor', escalateAfterMs: 1_000, escalateToRoleId: all }))
      .json.roleId as string;
    // The nurse's PC is off and her queue is at its cap with a colleague's messages.
    for (const n of [1, 2]) {
      const sent = await call(relay.url, 'PUT', `/v1/messages/${nurse.accountId}`, {
        token: gp.token,
        body: { clientMessageId: `fill-${n}`, messages: [envelopeFor(nurse, `fill ${n}`)] },
      });
      expect(sent.status).toBe(200);
    }
    const token = randomBytes(32);
    const id = randomBytes(16).toString('base64url');
    await call(relay.url, 'POST', '/v1/alerts', {
      token: reception.token,
      body: {
        alertId: id,
        roleId: duty,
        tokenHash: b64(sha(token)),
        copies: [
          {
            accountId: nurse.accountId,
            clientMessageId: 'held-for-the-nurse',
            messages: [envelopeFor(nurse, 'sealed escalation')],
          },
        ],
      },
    });
    await pause(1_100);
    await relay.sweepEscalations();
    const status = await call(relay.url, 'POST', '/v1/alerts/status', {
      token: reception.token,
      body: { alertIds: [id] },
    });
    expect(status.json.alerts[0].state).toBe('escalated');
    // The cap held: the queue still has the two, not three.
    const socket = await FrameLog.open(relay.url, nurse.token);
    await socket.until((log) => log.has('queue_empty'));
    expect(socket.envelopes().map((e) => e.clientMessageId)).toEqual(['fill-1', 'fill-2']);
    // She reads them; the next sweep releases the held copy into the room made.
    socket.ack(socket.envelopes().map((e) => e.id));
    for (let tries = 0; tries < 50 && socket.envelopes().length < 3; tries += 1) {
      await relay.sweepEscalations();
      await pause(100);
    }
    await socket.until((log) => log.envelopes().length === 3);
    const copy = socket.envelopes()[2];
    expect(copy?.clientMessageId).toBe('held-for-the-nurse');
    expect(copy?.senderAccountId).toBe(reception.accountId);
    socket.close();
    // Released once: another sweep queues nothing more.
    await relay.sweepEscalations();
    const again = await FrameLog.open(relay.url, nurse.token);
    await again.until((log) => log.has('queue_empty'));
    expect(again.envelopes().map((e) => e.clientMessageId)).toEqual(['held-for-the-nurse']);
    again.close();
  });
});
