import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeBackends } from './relay-backends.js';
import { call, enrolNew, enrolWithCode, envelopeFor, FrameLog } from './relay-client.js';
import { startTestRelay, type TestRelay } from './test-relay.js';

// docs/protocol.md §2a: a person lists their own devices and removes another one of them.

describeBackends('own devices', (backend) => {
  let t: TestRelay;
  beforeEach(async () => {
    t = await startTestRelay({}, backend);
  });
  afterEach(async () => {
    await t.stop();
  });

  it('lists the caller’s own active devices only, with names and when they were last seen', async () => {
    const gp1 = await enrolNew(t.relay, 'Dr A Patel');
    const gp2 = await enrolWithCode(
      t.relay.url,
      (await t.relay.enrol({ accountId: gp1.accountId })).code,
    );
    await enrolNew(t.relay, 'Reception', 'Test Practice', 'reception');
    const before = await call(t.relay.url, 'GET', '/v1/devices', { token: gp2.token });
    expect(before.status).toBe(200);
    expect(before.json.devices.map((d: { deviceId: number }) => d.deviceId)).toEqual([1, 2]);
    expect(before.json.devices[0]).toMatchObject({ name: null });
    // Enrolment counts as being seen.
    expect(before.json.devices[0].lastSeenAt).toBe(before.json.devices[0].createdAt);

    // A WebSocket opening marks the device as seen; closing it too.
    const openedAt = Date.now();
    const socket = await FrameLog.open(t.relay.url, gp1.token);
    await socket.until((log) => log.has('ready'));
    socket.socket.close();
    await socket.until((log) => log.closeCode !== null);
    await expect
      .poll(async () => {
        const after = await call(t.relay.url, 'GET', '/v1/devices', { token: gp2.token });
        return after.json.devices[0].lastSeenAt as number | null;
      })
      .toBeGreaterThanOrEqual(openedAt);
  });

  it('removes another device of the account with remote wipe; colleagues then meet 409 extraDevices', async () => {
    const gp1 = await enrolNew(t.relay, 'Dr A Patel');
    const gp2 = await enrolWithCode(
      t.relay.url,
      (await t.relay.enrol({ accountId: gp1.accountId })).code,
    );
    const reception = await enrolNew(t.relay, 'Reception', 'Test Practice', 'reception');
    const gp2Socket = await FrameLog.open(t.relay.url, gp2.token);
    await gp2Socket.until((log) => log.has('ready'));

    const removed = await call(t.relay.url, 'POST', '/v1/devices/2/remove', { token: gp1.token });
    expect(removed.status).toBe(200);
    expect(removed.json).toEqual({ removed: 2 });
    await gp2Socket.until((log) => log.closeCode !== null);
    // The removed PC is told the person removed it, and from which of their devices.
    expect(gp2Socket.frames.find((f) => f.type === 'wipe')).toEqual({
      type: 'wipe',
      removedBy: { displayName: 'Dr A Patel', deviceId: 1, deviceName: null },
    });
    expect(gp2Socket.closeCode).toBe(4003);
    const gone = await call(t.relay.url, 'GET', '/v1/me', { token: gp2.token });
    expect(gone.json.error.code).toBe('remote_wipe');
    expect(gone.json.error.details).toEqual({
      removedBy: { displayName: 'Dr A Patel', deviceId: 1, deviceName: null },
    });
    // Connecting again (token in the first frame) is refused with the same attribution.
    const again = await FrameLog.open(t.relay.url);
    again.socket.send(JSON.stringify({ type: 'auth', token: gp2.token }));
    await again.until((log) => log.closeCode !== null);
    expect(again.frames).toEqual([
      { type: 'wipe', removedBy: { displayName: 'Dr A Patel', deviceId: 1, deviceName: null } },
    ]);

    const listed = await call(t.relay.url, 'GET', '/v1/devices', { token: gp1.token });
    expect(listed.json.devices.map((d: { deviceId: number }) => d.deviceId)).toEqual([1]);
    const send = await call(t.relay.url, 'PUT', `/v1/messages/${gp1.accountId}`, {
      token: reception.token,
      body: {
        clientMessageId: 'm-after-removal',
        messages: [envelopeFor(gp1, 'one'), envelopeFor(gp2, 'two')],
      },
    });
    expect(send.status).toBe(409);
    expect(send.json.error.details).toEqual({ missingDevices: [], extraDevices: [2] });
  });

  it('a device IT revoked with remote wipe is not told the person removed it', async () => {
    const gp1 = await enrolNew(t.relay, 'Dr A Patel');
    await enrolWithCode(t.relay.url, (await t.relay.enrol({ accountId: gp1.accountId })).code);
    await t.relay.revoke(gp1.accountId, { deviceId: 1, wipe: true });
    const gone = await call(t.relay.url, 'GET', '/v1/me', { token: gp1.token });
    expect(gone.json.error.code).toBe('remote_wipe');
    expect(gone.json.error.details).toBeUndefined();
    const socket = await FrameLog.open(t.relay.url);
    socket.socket.send(JSON.stringify({ type: 'auth', token: gp1.token }));
    await socket.until((log) => log.closeCode !== null);
    expect(socket.frames).toEqual([{ type: 'wipe' }]);
  });

  it('refuses removing the calling device, a device not on the account, and a colleague’s', async () => {
    const gp1 = await enrolNew(t.relay, 'Dr A Patel');
    const colleague = await enrolNew(t.relay, 'Dr B Jones');
    await enrolWithCode(
      t.relay.url,
      (await t.relay.enrol({ accountId: colleague.accountId })).code,
    );

    const self = await call(t.relay.url, 'POST', '/v1/devices/1/remove', { token: gp1.token });
    expect(self.status).toBe(403);
    expect(self.json.error.code).toBe('forbidden');
    expect(self.json.error.message).toMatch(/another of your devices/);
    // Device 2 exists, but on the colleague's account: not this caller's to touch.
    const other = await call(t.relay.url, 'POST', '/v1/devices/2/remove', { token: gp1.token });
    expect(other.status).toBe(404);
    const range = await call(t.relay.url, 'POST', '/v1/devices/200/remove', { token: gp1.token });
    expect(range.status).toBe(400);
    const colleagueDevices = await call(t.relay.url, 'GET', '/v1/devices', {
      token: colleague.token,
    });
    expect(colleagueDevices.json.devices).toHaveLength(2);
  });
});
