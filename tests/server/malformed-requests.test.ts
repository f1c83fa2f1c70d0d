import type { Database } from 'better-sqlite3-multiple-ciphers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { relayErrorBodySchema, relayErrorStatus } from '../../shared/protocol/index.js';
import { hashEnrolmentCode } from '../../server/secrets.js';
import {
  call,
  enrolNew,
  envelopeFor,
  type EnrolledDevice,
  type HttpResult,
} from './relay-client.js';
import { enrolPayload, generateDeviceKeys } from './signal-keys.js';
import { startTestRelay, type TestRelay } from './test-relay.js';

// Every class of bad request gets its documented status and error code, and the relay keeps
// serving afterwards (each case ends by checking /v1/health).

let t: TestRelay;
let url: string;
let alice: EnrolledDevice;
let bob: EnrolledDevice;

beforeAll(async () => {
  t = await startTestRelay();
  url = t.relay.url;
  alice = await enrolNew(t.relay, 'Alice');
  bob = await enrolNew(t.relay, 'Bob');
});
afterAll(async () => {
  await t.stop();
});

async function expectError(result: HttpResult, code: keyof typeof relayErrorStatus) {
  expect(result.status).toBe(relayErrorStatus[code]);
  expect(relayErrorBodySchema.parse(result.json).error.code).toBe(code);
  expect(result.headers.get('content-type')).toMatch(/^application\/json/);
  expect((await call(url, 'GET', '/v1/health')).status).toBe(200);
}

const sendPath = () => `/v1/messages/${bob.accountId}`;

describe('malformed requests', () => {
  it('bad JSON -> 400 bad_json', async () => {
    await expectError(
      await call(url, 'PUT', sendPath(), { token: alice.token, rawBody: '{"clientMessageId": ' }),
      'bad_json',
    );
  });

  it('wrong types and missing fields -> 400 invalid_input with the path', async () => {
    const r = await call(url, 'PUT', sendPath(), {
      token: alice.token,
      body: { clientMessageId: 7, messages: [{ deviceId: '1', type: 3 }] },
    });
    await expectError(r, 'invalid_input');
    const paths = r.json.error.details.issues.map((i: { path: string }) => i.path);
    expect(paths).toContain('clientMessageId');
    expect(paths).toContain('messages.0.deviceId');
    await expectError(
      await call(url, 'PUT', sendPath(), { token: alice.token, body: [1, 2, 3] }),
      'invalid_input',
    );
  });

  it('bad base64 -> 400 invalid_input', async () => {
    for (const content of ['***not base64***', 'abc', 'YQ=', '']) {
      await expectError(
        await call(url, 'PUT', sendPath(), {
          token: alice.token,
          body: { clientMessageId: 'b64', messages: [{ ...envelopeFor(bob, 'x'), content }] },
        }),
        'invalid_input',
      );
    }
    const keys = enrolPayload('AAAA-AAAA-AAAA-AAAA', generateDeviceKeys(1));
    await expectError(
      await call(url, 'POST', '/v1/enrol', { body: { ...keys, identityKey: 'BQ==' } }),
      'invalid_input',
    );
  });

  it('oversize body -> 413 payload_too_large; oversize envelope -> 400', async () => {
    const huge = Buffer.alloc(1_100_000, 0x61).toString('base64');
    await expectError(
      await call(url, 'PUT', sendPath(), {
        token: alice.token,
        body: { clientMessageId: 'big', messages: [{ ...envelopeFor(bob, 'x'), content: huge }] },
      }),
      'payload_too_large',
    );
    const envelope = Buffer.alloc(70_000, 0x61).toString('base64');
    await expectError(
      await call(url, 'PUT', sendPath(), {
        token: alice.token,
        body: {
          clientMessageId: 'big2',
          messages: [{ ...envelopeFor(bob, 'x'), content: envelope }],
        },
      }),
      'invalid_input',
    );
  });

  it('wrong content type -> 415, unknown route -> 404, wrong method -> 405', async () => {
    await expectError(
      await call(url, 'PUT', sendPath(), {
        token: alice.token,
        rawBody: '{}',
        contentType: 'text/plain',
      }),
      'unsupported_media_type',
    );
    await expectError(
      await call(url, 'GET', '/v1/nothing-here', { token: alice.token }),
      'not_found',
    );
    await expectError(await call(url, 'GET', '/', {}), 'not_found');
    await expectError(
      await call(url, 'GET', '/v1/messages/not-a-uuid', { token: alice.token }),
      'not_found',
    );
    const r = await call(url, 'DELETE', '/v1/directory', { token: alice.token });
    await expectError(r, 'method_not_allowed');
    expect(r.headers.get('allow')).toBe('GET');
    await expectError(await call(url, 'GET', '/v1/websocket'), 'upgrade_required');
  });

  it('missing, malformed, unknown and revoked tokens -> 401', async () => {
    await expectError(await call(url, 'GET', '/v1/directory'), 'unauthorized');
    const malformed = await fetch(`${url}/v1/directory`, {
      headers: { authorization: 'Basic abc' },
    });
    expect(malformed.status).toBe(401);
    await expectError(
      await call(url, 'GET', '/v1/directory', { token: 'A'.repeat(43) }),
      'unauthorized',
    );
    const gone = await enrolNew(t.relay, 'Gone');
    await t.relay.revoke(gone.accountId, { wipe: false });
    await expectError(
      await call(url, 'GET', '/v1/directory', { token: gone.token }),
      'device_revoked',
    );
  });

  it('reused, expired, unknown enrolment codes -> 410, 410, 403', async () => {
    const issued = await t.relay.enrol({
      displayName: 'Once',
      role: 'nurse',
      org: 'Test Practice',
    });
    const first = await call(url, 'POST', '/v1/enrol', {
      body: enrolPayload(issued.code, generateDeviceKeys(1)),
    });
    expect(first.status).toBe(201);
    await expectError(
      await call(url, 'POST', '/v1/enrol', {
        body: enrolPayload(issued.code, generateDeviceKeys(1)),
      }),
      'enrolment_code_used',
    );
    // Codes are typed by people: case and dashes do not matter.
    const loose = await t.relay.enrol({ displayName: 'Loose', role: 'nurse' });
    const typed = loose.code.toLowerCase().replace(/-/g, ' ');
    expect(
      (await call(url, 'POST', '/v1/enrol', { body: enrolPayload(typed, generateDeviceKeys(1)) }))
        .status,
    ).toBe(201);

    const expired = await t.relay.enrol({ displayName: 'Late', role: 'nurse' }, 1);
    const db = (t.relay.storage as unknown as { db: Database }).db;
    db.prepare('UPDATE enrolment_codes SET expires_at = ? WHERE code_hash = ?').run(
      Date.now() - 1,
      hashEnrolmentCode(expired.code),
    );
    await expectError(
      await call(url, 'POST', '/v1/enrol', {
        body: enrolPayload(expired.code, generateDeviceKeys(1)),
      }),
      'enrolment_code_expired',
    );
    await expectError(
      await call(url, 'POST', '/v1/enrol', {
        body: enrolPayload('ZZZZ-ZZZZ-ZZZZ-ZZZZ', generateDeviceKeys(1)),
      }),
      'enrolment_code_invalid',
    );
    // A code whose account was revoked before it was used is invalid.
    const orphan = await t.relay.enrol({ displayName: 'Orphan', role: 'nurse' });
    await t.relay.revoke(orphan.accountId);
    await expectError(
      await call(url, 'POST', '/v1/enrol', {
        body: enrolPayload(orphan.code, generateDeviceKeys(1)),
      }),
      'enrolment_code_invalid',
    );
  });

  it('signatures that do not verify are refused at enrolment', async () => {
    const issued = await t.relay.enrol({ displayName: 'Forger', role: 'nurse' });
    const payload = enrolPayload(issued.code, generateDeviceKeys(1));
    const other = enrolPayload(issued.code, generateDeviceKeys(1));
    const r = await call(url, 'POST', '/v1/enrol', {
      body: { ...payload, signedPreKey: other.signedPreKey },
    });
    await expectError(r, 'invalid_input');
    // The code was not spent by the failed attempt.
    expect((await call(url, 'POST', '/v1/enrol', { body: payload })).status).toBe(201);
  });
});

describe('rate limits', () => {
  it('answers 429 rate_limited with Retry-After when a token exceeds its bucket', async () => {
    const limited = await startTestRelay({ requestBurst: 5, requestsPerSecond: 0.5 });
    try {
      const dev = await enrolNew(limited.relay, 'Busy');
      const statuses: number[] = [];
      let last: HttpResult | null = null;
      for (let i = 0; i < 7; i += 1) {
        last = await call(limited.relay.url, 'GET', '/v1/me', { token: dev.token });
        statuses.push(last.status);
      }
      expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
      expect(statuses[6]).toBe(429);
      expect(last?.json.error.code).toBe('rate_limited');
      expect(Number(last?.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await call(limited.relay.url, 'GET', '/v1/health')).status).toBe(200);
    } finally {
      await limited.stop();
    }
  });

  it('limits enrolment attempts per address (code guessing)', async () => {
    const limited = await startTestRelay({ anonymousBurst: 3, anonymousPerSecond: 0.01 });
    try {
      const statuses: number[] = [];
      const payload = enrolPayload('ZZZZ-ZZZZ-ZZZZ-ZZZZ', generateDeviceKeys(1));
      for (let i = 0; i < 5; i += 1) {
        statuses.push(
          (await call(limited.relay.url, 'POST', '/v1/enrol', { body: payload })).status,
        );
      }
      expect(statuses).toEqual([403, 403, 403, 429, 429]);
    } finally {
      await limited.stop();
    }
  });
});
