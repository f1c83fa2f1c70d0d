import { createHash, randomBytes } from 'node:crypto';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { silentLogger } from '../../server/log.js';
import { startRelay, type RunningRelay } from '../../server/relay.js';
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

// Duty roles on the relay (docs/protocol.md §14): roles per organisation, who holds them, and
// held escalation copies released on the relay's clock unless an acknowledgement token arrives.

const org = 'Riverside Surgery';
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest();
const alertId = () => randomBytes(16).toString('base64url');

describeBackends('duty roles', (backend) => {
  let test: TestRelay;
  let relay: RunningRelay;
  let manager: EnrolledDevice;
  let gp: EnrolledDevice;
  let nurse: EnrolledDevice;
  let reception: EnrolledDevice;

  beforeEach(async () => {
    test = await startTestRelay({}, backend);
    relay = test.relay;
    const issued = await relay.enrol({ displayName: 'Practice Manager', role: 'manager', org });
    manager = await enrolWithCode(relay.url, issued.code);
    gp = await enrolNew(relay, 'Dr A Patel', org);
    nurse = await enrolNew(relay, 'Nurse B Jones', org);
    reception = await enrolNew(relay, 'Reception Desk', org, 'reception');
  });
  afterEach(async () => {
    await test.stop();
  });

  const createRole = (body: object, token = manager.token) =>
    call(relay.url, 'PUT', '/v1/roles', { token, body });

  it('lets managers create and delete roles of their organisation; others are refused', async () => {
    const all = await createRole({ name: 'All clinicians' });
    expect(all.status).toBe(201);
    const duty = await createRole({
      name: 'Duty doctor',
      escalateAfterMs: 600_000,
      escalateToRoleId: all.json.roleId,
    });
    expect(duty.status).toBe(201);
    expect(duty.json).toMatchObject({
      name: 'Duty doctor',
      escalateAfterMs: 600_000,
      escalateTo: { roleId: all.json.roleId, name: 'All clinicians' },
      holders: [],
    });
    expect((await createRole({ name: ' duty DOCTOR ' })).json.error.code).toBe('role_exists');
    expect((await createRole({ name: 'Locum' }, gp.token)).status).toBe(403);
    expect((await createRole({ name: 'Locum', escalateAfterMs: 1000 })).status).toBe(400);

    // Another organisation sees none of them.
    const other = await enrolNew(relay, 'Dr Elsewhere', 'Hillside Practice');
    const seen = await call(relay.url, 'GET', '/v1/roles', { token: other.token });
    expect(seen.json.roles).toEqual([]);

    const refused = await call(relay.url, 'POST', `/v1/roles/${all.json.roleId}/delete`, {
      token: manager.token,
    });
    expect(refused.status).toBe(400);
    expect(refused.json.error.message).toContain('Duty doctor');
    const gpDelete = await call(relay.url, 'POST', `/v1/roles/${duty.json.roleId}/delete`, {
      token: gp.token,
    });
    expect(gpDelete.status).toBe(403);
    const deleted = await call(relay.url, 'POST', `/v1/roles/${duty.json.roleId}/delete`, {
      token: manager.token,
    });
    expect(deleted.json).toEqual({ deleted: true });
    const list = await call(relay.url, 'GET', '/v1/roles', { token: reception.token });
    expect(list.json.roles.map((r: { name: string }) => r.name)).toEqual(['All clinicians']);
  });

  it('lists who is on duty; starting twice is harmless; stopping hands over', async () => {
    const role = (await createRole({ name: 'Duty doctor' })).json;
    const path = `/v1/roles/${role.roleId}/duty`;
    await call(relay.url, 'POST', path, { token: gp.token, body: { onDuty: true } });
    const again = await call(relay.url, 'POST', path, { token: gp.token, body: { onDuty: true } });
    expect(again.json.holders.map((h: { accountId: string }) => h.accountId)).toEqual([
      gp.accountId,
    ]);
    await call(relay.url, 'POST', path, { token: nurse.token, body: { onDuty: true } });
    await call(relay.url, 'POST', path, { token: gp.token, body: { onDuty: false } });
    const list = await call(relay.url, 'GET', '/v1/roles', { token: reception.token });
    expect(list.json.roles[0].holders.map((h: { accountId: string }) => h.accountId)).toEqual([
      nurse.accountId,
    ]);
    // A revoked holder is nobody on duty.
    await relay.revoke(nurse.accountId);
    const after = await call(relay.url, 'GET', '/v1/roles', { token: reception.token });
    expect(after.json.roles[0].holders).toEqual([]);
    const bad = await call(relay.url, 'POST', path, { token: gp.token, body: { onDuty: 'yes' } });
    expect(bad.status).toBe(400);
  });

  it('acknowledgement drops the held copy; a second acknowledgement returns the first', async () => {
    const all = (await createRole({ name: 'All clinicians' })).json;
    const duty = (
      await createRole({
        name: 'Duty doctor',
        escalateAfterMs: 60_000,
        escalateToRoleId: all.roleId,
      })
    ).json;
    const token = randomBytes(32);
    const id = alertId();
    const created = await call(relay.url, 'POST', '/v1/alerts', {
      token: reception.token,
      body: {
        alertId: id,
        roleId: duty.roleId,
        tokenHash: b64(sha(token)),
        copies: [
          {
            accountId: nurse.accountId,
            clientMessageId: 'esc-1',
            messages: [envelopeFor(nurse, 'sealed')],
          },
        ],
      },
    });
    expect(created.status).toBe(200);
    expect(created.json).toMatchObject({
      state: 'waiting',
      escalateTo: { name: 'All clinicians' },
    });
    const wrong = await call(relay.url, 'POST', '/v1/alerts/ack', {
      token: gp.token,
      body: { alertId: id, token: b64(randomBytes(32)) },
    });
    expect(wrong.status).toBe(404);
    const [first, second] = await Promise.all([
      call(relay.url, 'POST', '/v1/alerts/ack', {
        token: gp.token,
        body: { alertId: id, token: b64(token) },
      }),
      call(relay.url, 'POST', '/v1/alerts/ack', {
        token: nurse.token,
        body: { alertId: id, token: b64(token) },
      }),
    ]);
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(first.json.state).toBe('acknowledged');
    expect(second.json.acknowledgedBy).toBe(first.json.acknowledgedBy);
    expect(second.json.acknowledgedAt).toBe(first.json.acknowledgedAt);
    // Only the sender reads the state.
    const status = await call(relay.url, 'POST', '/v1/alerts/status', {
      token: reception.token,
      body: { alertIds: [id] },
    });
    expect(status.json.alerts[0].state).toBe('acknowledged');
    const snoop = await call(relay.url, 'POST', '/v1/alerts/status', {
      token: gp.token,
      body: { alertIds: [id] },
    });
    expect(snoop.json.alerts).toEqual([]);
  });
});

describeBackends('escalation deadlines', (backend) => {
  let test: TestRelay;
  afterEach(async () => {
    await test.stop();
  });

  it('never releases an acknowledged alert, and releases a due one once when sweeps race', async () => {
    test = await startTestRelay({}, backend);
    const relay = test.relay;
    const issued = await relay.enrol({ displayName: 'Practice Manager', role: 'manager', org });
    const manager = await enrolWithCode(relay.url, issued.code);
    const nurse = await enrolNew(relay, 'Nurse B Jones', org);
    const reception = await enrolNew(relay, 'Reception Desk', org, 'reception');
    const put = (body: object) =>
      call(relay.url, 'PUT', '/v1/roles', { token: manager.token, body });
    const all = (await put({ name: 'All clinicians' })).json;
    const duty = (
      await put({ name: 'Duty doctor', escalateAfterMs: 60_000, escalateToRoleId: all.roleId })
    ).json;
    const alert = async (token: Buffer, clientMessageId: string) => {
      const id = alertId();
      await call(relay.url, 'POST', '/v1/alerts', {
        token: reception.token,
        body: {
          alertId: id,
          roleId: duty.roleId,
          tokenHash: b64(sha(token)),
          copies: [
            {
              accountId: nurse.accountId,
              clientMessageId,
              messages: [envelopeFor(nurse, clientMessageId)],
            },
          ],
        },
      });
      return id;
    };
    const ackedToken = randomBytes(32);
    const acked = await alert(ackedToken, 'acked-copy');
    const due = await alert(randomBytes(32), 'due-copy');
    await call(relay.url, 'POST', '/v1/alerts/ack', {
      token: nurse.token,
      body: { alertId: acked, token: b64(ackedToken) },
    });
    const later = Date.now() + 120_000;
    const [first, second] = await Promise.all([
      relay.roles.releaseDue(later),
      relay.roles.releaseDue(later),
    ]);
    expect([...first.alerts, ...second.alerts]).toEqual([due]);
    const socket = await FrameLog.open(relay.url, nurse.token);
    await socket.until((log) => log.has('queue_empty'));
    expect(socket.envelopes().map((e) => e.clientMessageId)).toEqual(['due-copy']);
    socket.socket.close();
  });
});

describeBackends('escalation with the sender offline, across a relay restart', (backend) => {
  let test: TestRelay;
  afterEach(async () => {
    await test.stop();
  });

  it('releases the held copy to the escalation holders when the deadline passes', async () => {
    let now = Date.UTC(2026, 11, 1, 14, 0);
    test = await startTestRelay({}, backend);
    const first = test.relay;
    const issued = await first.enrol({ displayName: 'Practice Manager', role: 'manager', org });
    const manager = await enrolWithCode(first.url, issued.code);
    const nurse = await enrolNew(first, 'Nurse B Jones', org);
    const reception = await enrolNew(first, 'Reception Desk', org, 'reception');
    const all = (
      await call(first.url, 'PUT', '/v1/roles', {
        token: manager.token,
        body: { name: 'All clinicians' },
      })
    ).json;
    const duty = (
      await call(first.url, 'PUT', '/v1/roles', {
        token: manager.token,
        body: { name: 'Duty doctor', escalateAfterMs: 600_000, escalateToRoleId: all.roleId },
      })
    ).json;
    // The relay of the first run had the real clock; restart it on an injected one.
    await first.close();
    const restart = (clock: () => number) =>
      startRelay({
        dataDir: test.dataDir,
        ...(test.databaseUrl ? { databaseUrl: test.databaseUrl } : {}),
        port: 0,
        logger: silentLogger,
        clock,
      });
    let relay = await restart(() => now);
    test.relay = relay;
    const id = alertId();
    const created = await call(relay.url, 'POST', '/v1/alerts', {
      token: reception.token,
      body: {
        alertId: id,
        roleId: duty.roleId,
        tokenHash: b64(sha(randomBytes(32))),
        copies: [
          {
            accountId: nurse.accountId,
            clientMessageId: 'escalated-copy',
            messages: [envelopeFor(nurse, 'sealed bytes')],
          },
        ],
      },
    });
    expect(created.json.escalateAt).toBe(now + 600_000);
    // The sender's PC is off from here on. Nine minutes: nothing yet.
    now += 9 * 60_000;
    await relay.sweepEscalations();
    const nurseSocket = await FrameLog.open(relay.url, nurse.token);
    await nurseSocket.until((log) => log.has('queue_empty'));
    expect(nurseSocket.envelopes()).toEqual([]);
    nurseSocket.socket.close();
    // The relay is down across the deadline, and comes back at 14:12.
    await relay.close();
    now += 3 * 60_000;
    relay = await restart(() => now);
    test.relay = relay;
    const socket = await FrameLog.open(relay.url, nurse.token);
    await socket.until((log) => log.envelopes().length === 1);
    const envelope = socket.envelopes()[0];
    expect(envelope?.senderAccountId).toBe(reception.accountId);
    expect(envelope?.clientMessageId).toBe('escalated-copy');
    expect(Buffer.from(envelope?.content ?? '', 'base64').toString()).toBe('sealed bytes');
    socket.socket.close();
    const status = await call(relay.url, 'POST', '/v1/alerts/status', {
      token: reception.token,
      body: { alertIds: [id] },
    });
    expect(status.json.alerts[0]).toMatchObject({ state: 'escalated', escalatedAt: now });
  });
});
