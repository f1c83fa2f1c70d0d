import { createHash } from 'node:crypto';
import { afterEach, expect, it } from 'vitest';
import { linkLookup, linkProof, newLinkCode } from '../../main/core/messaging/link-code.js';
import { describeBackends } from './relay-backends.js';
import { call, enrolNew, type EnrolledDevice } from './relay-client.js';
import { enrolPayload, generateDeviceKeys, type TestDeviceKeys } from './signal-keys.js';
import { startTestRelay, type TestRelay } from './test-relay.js';
import type { RelayLimits } from '../../server/relay-services.js';

// docs/protocol.md §2b: a person links a new PC from one they have, with a one-time code the
// relay never sees, approved by name on the first PC; the relay caps devices per person.

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

function redeemBody(code: string, keys: TestDeviceKeys, deviceName: string, token: string) {
  const { code: _none, ...enrol } = enrolPayload('unused', keys);
  return {
    ...enrol,
    deviceName,
    token,
    lookup: b64(linkLookup(code)),
    proof: b64(linkProof(code, keys.identity.publicKey.serialize(), deviceName)),
  };
}

const newToken = () =>
  Buffer.from(createHash('sha256').update(String(Math.random())).digest()).toString('base64url');

describeBackends('linking a PC by the person', (backend) => {
  let t: TestRelay;
  afterEach(async () => {
    await t.stop();
  });

  async function start(limits: Partial<RelayLimits> = {}) {
    t = await startTestRelay(limits, backend);
  }

  async function makeLink(device: EnrolledDevice, approvalRequired = true) {
    const code = newLinkCode();
    const made = await call(t.relay.url, 'POST', '/v1/links', {
      token: device.token,
      body: { lookup: b64(linkLookup(code)), approvalRequired },
    });
    expect(made.status).toBe(201);
    return { code, link: made.json };
  }

  const redeem = (body: object) => call(t.relay.url, 'POST', '/v1/links/redeem', { body });

  it('adds the PC only once the first PC approves it, with its own next device id', async () => {
    await start();
    const gp = await enrolNew(t.relay, 'Dr A Patel');
    const { code, link } = await makeLink(gp);
    expect(link).toMatchObject({ state: 'open', approvalRequired: true, request: null });
    // The relay stores neither the code nor the lookup.
    const keys = generateDeviceKeys();
    const body = redeemBody(code, keys, 'Room 7 PC', newToken());
    const asked = await redeem(body);
    expect(asked.status).toBe(202);
    expect(asked.json).toMatchObject({ waiting: true, expiresAt: link.expiresAt });
    // Asking again changes nothing.
    expect((await redeem(body)).status).toBe(202);

    const seen = await call(t.relay.url, 'GET', '/v1/links', { token: gp.token });
    expect(seen.json.link.state).toBe('requested');
    expect(seen.json.link.request.deviceName).toBe('Room 7 PC');
    // The approving device can check the proof: the relay could not have made it.
    const request = seen.json.link.request;
    expect(request.proof).toBe(
      b64(linkProof(code, Buffer.from(request.identityKey, 'base64'), request.deviceName)),
    );
    const approved = await call(t.relay.url, 'POST', '/v1/links/decide', {
      token: gp.token,
      body: { identityKey: request.identityKey, approve: true },
    });
    expect(approved.status).toBe(200);
    expect(approved.json).toMatchObject({ state: 'approved', deviceId: 2 });

    const added = await redeem(body);
    expect(added.status).toBe(201);
    expect(added.json).toMatchObject({ accountId: gp.accountId, deviceId: 2, token: body.token });
    const me = await call(t.relay.url, 'GET', '/v1/me', { token: body.token });
    expect(me.json).toMatchObject({ accountId: gp.accountId, deviceId: 2 });
    const devices = await call(t.relay.url, 'GET', '/v1/devices', { token: gp.token });
    expect(devices.json.devices).toMatchObject([
      { deviceId: 1 },
      { deviceId: 2, name: 'Room 7 PC' },
    ]);
    // Single use: another PC with the same code is refused.
    const other = redeemBody(code, generateDeviceKeys(), 'Room 9 PC', newToken());
    const reused = await redeem(other);
    expect(reused.status).toBe(410);
    expect(reused.json.error.code).toBe('link_code_used');
  });

  it('without approval the code alone adds the PC', async () => {
    await start();
    const gp = await enrolNew(t.relay, 'Dr A Patel');
    const { code } = await makeLink(gp, false);
    const added = await redeem(redeemBody(code, generateDeviceKeys(), 'Room 4 PC', newToken()));
    expect(added.status).toBe(201);
    expect(added.json).toMatchObject({ accountId: gp.accountId, deviceId: 2 });
    const seen = await call(t.relay.url, 'GET', '/v1/links', { token: gp.token });
    expect(seen.json.link).toMatchObject({ state: 'used', deviceId: 2 });
  });

  it('a refused PC is told so and never gets a device', async () => {
    await start();
    const gp = await enrolNew(t.relay, 'Dr A Patel');
    const { code } = await makeLink(gp);
    const body = redeemBody(code, generateDeviceKeys(), 'Unknown laptop', newToken());
    expect((await redeem(body)).status).toBe(202);
    const refused = await call(t.relay.url, 'POST', '/v1/links/decide', {
      token: gp.token,
      body: { identityKey: body.identityKey, approve: false },
    });
    expect(refused.json).toMatchObject({ state: 'refused', deviceId: null });
    const told = await redeem(body);
    expect(told.status).toBe(403);
    expect(told.json.error.code).toBe('link_refused');
    const again = await call(t.relay.url, 'POST', '/v1/links/decide', {
      token: gp.token,
      body: { identityKey: body.identityKey, approve: true },
    });
    expect(again.json.error.code).toBe('link_code_used');
    const devices = await call(t.relay.url, 'GET', '/v1/devices', { token: gp.token });
    expect(devices.json.devices).toHaveLength(1);
  });

  it('decides only the request the device checked', async () => {
    await start();
    const gp = await enrolNew(t.relay, 'Dr A Patel');
    const { code } = await makeLink(gp);
    expect(
      (await redeem(redeemBody(code, generateDeviceKeys(), 'Room 7 PC', newToken()))).status,
    ).toBe(202);
    const other = b64(generateDeviceKeys().identity.publicKey.serialize());
    const wrong = await call(t.relay.url, 'POST', '/v1/links/decide', {
      token: gp.token,
      body: { identityKey: other, approve: true },
    });
    expect(wrong.status).toBe(404);
    const noLink = await enrolNew(t.relay, 'Dr B Jones');
    const none = await call(t.relay.url, 'POST', '/v1/links/decide', {
      token: noLink.token,
      body: { identityKey: other, approve: true },
    });
    expect(none.status).toBe(404);
  });

  it('refuses a wrong code, an expired code, and a code replaced by a newer one', async () => {
    await start({ linkLifetimeMs: 1_500 });
    const gp = await enrolNew(t.relay, 'Dr A Patel');
    const wrong = await redeem(redeemBody(newLinkCode(), generateDeviceKeys(), 'PC', newToken()));
    expect(wrong.status).toBe(403);
    expect(wrong.json.error.code).toBe('link_code_invalid');

    const first = await makeLink(gp);
    const second = await makeLink(gp);
    const replaced = await redeem(redeemBody(first.code, generateDeviceKeys(), 'PC', newToken()));
    expect(replaced.json.error.code).toBe('link_code_invalid');

    // Waiting for approval past the expiry: the request is expired, not approvable.
    const body = redeemBody(second.code, generateDeviceKeys(), 'Room 7 PC', newToken());
    expect((await redeem(body)).status).toBe(202);
    const third = await makeLink(gp);
    await new Promise((resolve) => setTimeout(resolve, 1_700));
    const late = await redeem(redeemBody(third.code, generateDeviceKeys(), 'PC', newToken()));
    expect(late.status).toBe(410);
    expect(late.json.error.code).toBe('link_code_expired');
    const seen = await call(t.relay.url, 'GET', '/v1/links', { token: gp.token });
    expect(seen.json.link.state).toBe('expired');
  });

  it('a request waiting at expiry cannot be approved and is told it expired', async () => {
    await start({ linkLifetimeMs: 1_500 });
    const gp = await enrolNew(t.relay, 'Dr A Patel');
    const { code } = await makeLink(gp);
    const body = redeemBody(code, generateDeviceKeys(), 'Room 7 PC', newToken());
    expect((await redeem(body)).status).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, 1_700));
    const approve = await call(t.relay.url, 'POST', '/v1/links/decide', {
      token: gp.token,
      body: { identityKey: body.identityKey, approve: true },
    });
    expect(approve.json.error.code).toBe('link_code_expired');
    const told = await redeem(body);
    expect(told.status).toBe(410);
    expect(told.json.error.code).toBe('link_code_expired');
  });

  it('caps the devices of one person, saying the cap and how to remove a device', async () => {
    await start({ maxDevicesPerPerson: 2 });
    const gp = await enrolNew(t.relay, 'Dr A Patel');
    const first = await makeLink(gp, false);
    // A code made below the cap meets it at approval time too.
    const second = await makeLink(gp, false);
    expect(second.link.state).toBe('open');
    expect(
      (await redeem(redeemBody(second.code, generateDeviceKeys(), 'Room 4', newToken()))).status,
    ).toBe(201);
    expect(first.code).not.toBe(second.code);
    const capped = await call(t.relay.url, 'POST', '/v1/links', {
      token: gp.token,
      body: { lookup: b64(linkLookup(newLinkCode())), approvalRequired: true },
    });
    expect(capped.status).toBe(409);
    expect(capped.json.error.code).toBe('device_cap');
    expect(capped.json.error.details).toEqual({ maxDevices: 2, devices: 2 });
    expect(capped.json.error.message).toContain('(2)');
    expect(capped.json.error.message).toContain('--remove');

    // A code made under the cap is refused at approval once the cap is reached.
    const colleague = await enrolNew(t.relay, 'Dr B Jones');
    const a = await makeLink(colleague);
    const pending = redeemBody(a.code, generateDeviceKeys(), 'Room 8', newToken());
    expect((await redeem(pending)).status).toBe(202);
    // Meanwhile IT adds a second PC (IT is not capped).
    await enrolNewDeviceFor(colleague);
    const approve = await call(t.relay.url, 'POST', '/v1/links/decide', {
      token: colleague.token,
      body: { identityKey: pending.identityKey, approve: true },
    });
    expect(approve.status).toBe(409);
    expect(approve.json.error.code).toBe('device_cap');
  });

  /** IT adds a device (not capped), as `pmsg relay enrol --account` does. */
  async function enrolNewDeviceFor(device: EnrolledDevice) {
    const issued = await t.relay.enrol({ accountId: device.accountId });
    const keys = generateDeviceKeys();
    const result = await call(t.relay.url, 'POST', '/v1/enrol', {
      body: enrolPayload(issued.code, keys),
    });
    expect(result.status).toBe(201);
    return result.json as { token: string };
  }

  it('rate limits wrong codes per address, and then looks nothing up, while a waiting PC may ask again', async () => {
    await start({ anonymousBurst: 3, anonymousPerSecond: 0.01 });
    const gp = await enrolNew(t.relay, 'Dr A Patel');
    const { code } = await makeLink(gp);
    const body = redeemBody(code, generateDeviceKeys(), 'Room 7 PC', newToken());
    // Polling while waiting spends nothing.
    for (let i = 0; i < 6; i += 1) expect((await redeem(body)).status).toBe(202);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      statuses.push(
        (await redeem(redeemBody(newLinkCode(), generateDeviceKeys(), 'PC', newToken()))).status,
      );
    }
    expect(statuses).toEqual([403, 403, 403, 429, 429]);
    // Even a right code is not looked up from this address now: no way to tell right from wrong.
    const other = await enrolNew(t.relay, 'Dr B Jones');
    const fresh = await makeLink(other);
    const blocked = await redeem(redeemBody(fresh.code, generateDeviceKeys(), 'PC', newToken()));
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
