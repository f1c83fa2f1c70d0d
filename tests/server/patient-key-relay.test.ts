import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeBackends } from './relay-backends.js';
import { call, enrolWithCode, type EnrolledDevice } from './relay-client.js';
import { startTestRelay, type TestRelay } from './test-relay.js';

// The relay's side of the practice's patient-reference key (docs/protocol.md §13.1) on both
// backends: opaque sealed copies per device and version, never to reception, version 1 made once,
// later versions only by a manager or admin, a version shared only by a device that holds it.
// The end-to-end sealing is in tests/main/core/audit/practice-patient-key.test.ts.

describeBackends("the practice's patient-reference key on the relay", (backend) => {
  let t: TestRelay;
  let manager: EnrolledDevice;
  let gp: EnrolledDevice;
  let nurse: EnrolledDevice;
  let receptionist: EnrolledDevice;

  async function enrol(name: string, role: 'manager' | 'clinician' | 'nurse' | 'reception') {
    const issued = await t.relay.enrol({ displayName: name, role, org: 'Riverside Surgery' });
    return enrolWithCode(t.relay.url, issued.code);
  }
  const sealed = (text: string) => Buffer.from(text).toString('base64');
  const copy = (d: EnrolledDevice, text = `for ${d.accountId}`) => ({
    accountId: d.accountId,
    deviceId: d.deviceId,
    sealed: sealed(text),
  });
  const upload = (d: EnrolledDevice, version: number, envelopes: ReturnType<typeof copy>[]) =>
    call(t.relay.url, 'POST', '/v1/audit/patient-keys', {
      token: d.token,
      body: { version, envelopes },
    });
  const own = (d: EnrolledDevice) =>
    call(t.relay.url, 'GET', '/v1/audit/patient-keys', { token: d.token });

  beforeEach(async () => {
    t = await startTestRelay({}, backend);
    manager = await enrol('Practice Manager', 'manager');
    gp = await enrol('Dr A Patel', 'clinician');
    nurse = await enrol('Nurse N Evans', 'nurse');
    receptionist = await enrol('Reception', 'reception');
  });
  afterEach(async () => {
    await t.stop();
  });

  it('keeps each device to its part', async () => {
    expect((await own(gp)).json).toEqual({ latest: 0, envelopes: [] });
    // Version 1 must include the maker's own copy, and may not go to reception.
    expect((await upload(gp, 1, [copy(manager)])).json.error.code).toBe('invalid_input');
    expect((await upload(gp, 1, [copy(gp), copy(receptionist)])).json.error.code).toBe(
      'invalid_input',
    );
    expect((await upload(gp, 2, [copy(gp)])).json.error.code).toBe('invalid_input');
    expect((await upload(gp, 1, [copy(gp), copy(manager)])).json).toEqual({
      stored: 2,
      latest: 1,
    });
    // The nurse raced to make version 1 too: told to use the GP's.
    const raced = await upload(nurse, 1, [copy(nurse)]);
    expect(raced.status).toBe(409);
    expect(raced.json.error.code).toBe('patient_key_conflict');
    // The GP shares version 1 with the nurse; a copy already stored is never replaced.
    expect((await upload(gp, 1, [copy(nurse), copy(manager, 'replaced?')])).json).toEqual({
      stored: 1,
      latest: 1,
    });
    expect((await own(manager)).json).toEqual({
      latest: 1,
      envelopes: [{ version: 1, sealed: sealed(`for ${manager.accountId}`) }],
    });
    // Only a manager or admin makes version 2.
    expect((await upload(gp, 2, [copy(gp)])).status).toBe(403);
    expect((await upload(manager, 2, [copy(manager), copy(gp)])).json).toEqual({
      stored: 2,
      latest: 2,
    });
    const holders = await call(t.relay.url, 'GET', '/v1/audit/patient-key-holders', {
      token: nurse.token,
    });
    const versions = Object.fromEntries(
      (holders.json.devices as { accountId: string; versions: number[] }[]).map((d) => [
        d.accountId,
        d.versions,
      ]),
    );
    expect(versions).toEqual({
      [manager.accountId]: [1, 2],
      [gp.accountId]: [1, 2],
      [nurse.accountId]: [1],
    });
    // Reception asks for none of it and gets none of it.
    expect((await own(receptionist)).status).toBe(403);
    expect((await upload(receptionist, 2, [copy(receptionist)])).status).toBe(403);
    expect(
      (
        await call(t.relay.url, 'GET', '/v1/audit/patient-key-holders', {
          token: receptionist.token,
        })
      ).status,
    ).toBe(403);
  });
});
