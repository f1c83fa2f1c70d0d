import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBackends } from '../relay-backends.js';
import { call, enrolNew, enrolWithCode, envelopeFor, FrameLog } from '../relay-client.js';
import { enrolPayload, generateDeviceKeys } from '../signal-keys.js';
import { startTestRelay, type TestRelay } from '../test-relay.js';

// Members of the same organisation acting against a colleague.

let t: TestRelay;

describeBackends('insiders', (backend) => {
  beforeAll(async () => {
    t = await startTestRelay(
      {
        maxQueuedPerDevice: 20,
        maxQueuedPerSender: 8,
        queueReservedPerSender: 2,
        bundleBurst: 5,
        bundlesPerSecond: 0.01,
      },
      backend,
    );
  });
  afterAll(async () => {
    await t.stop();
  });

  it('four members filling a colleague’s queue get the 507 themselves; others still get through', async () => {
    const victim = await enrolNew(t.relay, 'Victim');
    const insiders = await Promise.all([1, 2, 3, 4].map((i) => enrolNew(t.relay, `Insider ${i}`)));
    const colleague = await enrolNew(t.relay, 'Colleague');
    const send = (from: { token: string }, id: string) =>
      call(t.relay.url, 'PUT', `/v1/messages/${victim.accountId}`, {
        token: from.token,
        body: { clientMessageId: id, messages: [envelopeFor(victim, id)] },
      });
    for (const [n, insider] of insiders.entries()) {
      let last;
      for (let i = 0; i < 12; i += 1) {
        last = await send(insider, `flood-${n}-${i}`);
        if (last.status !== 200) break;
      }
      expect(last?.status).toBe(507);
      expect(last?.json.error).toMatchObject({ code: 'queue_full', details: { fullDevices: [1] } });
      expect(last?.headers.get('retry-after')).toMatch(/^\d+$/);
    }
    const legit = await send(colleague, 'hello');
    expect(legit.status).toBe(200);
    const log = await FrameLog.open(t.relay.url, victim.token);
    await log.until((l) => l.has('queue_empty'));
    expect(
      log.envelopes().some((e) => Buffer.from(e.content, 'base64').toString() === 'hello'),
    ).toBe(true);
    log.close();
  });

  it('prekey bundle fetches are limited per caller and target, so one colleague cannot drain them', async () => {
    const target = await enrolWithCode(
      t.relay.url,
      (await t.relay.enrol({ displayName: 'Target', role: 'clinician', org: 'Test Practice' }))
        .code,
      generateDeviceKeys(20),
    );
    const drainer = await enrolNew(t.relay, 'Drainer');
    const other = await enrolNew(t.relay, 'Other');
    const statuses: number[] = [];
    let refused;
    for (let i = 0; i < 30; i += 1) {
      const r = await call(t.relay.url, 'GET', `/v1/keys/${target.accountId}`, {
        token: drainer.token,
      });
      statuses.push(r.status);
      if (r.status === 429) refused = r;
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    expect(refused?.json.error.code).toBe('rate_limited');
    expect(refused?.headers.get('retry-after')).toMatch(/^\d+$/);
    const fromOther = await call(t.relay.url, 'GET', `/v1/keys/${target.accountId}`, {
      token: other.token,
    });
    expect(fromOther.status).toBe(200);
    expect(fromOther.json.devices[0].preKey).not.toBeNull();
    const left = await call(t.relay.url, 'GET', '/v1/keys/count', { token: target.token });
    expect(left.json).toEqual({ preKeys: 14, kyberPreKeys: 14 });
  });

  it('checks the enrolment code before the signatures: a wrong code is refused as such', async () => {
    const keys = generateDeviceKeys();
    const payload = enrolPayload('ABCD-EFGH-JKMN-PQRS', keys);
    // A signature that does not verify: with a valid code this is invalid_input.
    payload.signedPreKey.signature = Buffer.alloc(64, 7).toString('base64');
    const wrongCode = await call(t.relay.url, 'POST', '/v1/enrol', { body: payload });
    expect(wrongCode.status).toBe(403);
    expect(wrongCode.json.error.code).toBe('enrolment_code_invalid');

    const issued = await t.relay.enrol({ displayName: 'New', role: 'nurse', org: 'Test Practice' });
    const badKeys = await call(t.relay.url, 'POST', '/v1/enrol', {
      body: { ...payload, code: issued.code },
    });
    expect(badKeys.status).toBe(400);
    expect(badKeys.json.error.code).toBe('invalid_input');
    // The code was not spent by the refused attempt.
    await enrolWithCode(t.relay.url, issued.code, generateDeviceKeys());
  });
});
