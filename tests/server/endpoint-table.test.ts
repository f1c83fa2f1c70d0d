import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../server/http/router.js';
import {
  endpointNames,
  endpointPath,
  endpoints,
  webSocketPath,
  type EndpointName,
} from '../../shared/protocol/index.js';
import { call, enrolWithCode, type EnrolledDevice } from './relay-client.js';
import { startTestRelay, type TestRelay } from './test-relay.js';

// The endpoint table (shared/protocol/endpoints.ts) is the one list of the relay's endpoints: the
// relay routes each entry and nothing else, and docs/protocol.md, the normative text, has each.

const protocolDoc = readFileSync(
  path.resolve(import.meta.dirname, '../../docs/protocol.md'),
  'utf8',
);
const allMethods = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'] as const;

let t: TestRelay;
let device: EnrolledDevice;
/** A finished one-chunk attachment blob, so its GET entries have something to answer. */
let attachmentId: string;

beforeAll(async () => {
  t = await startTestRelay();
  // A manager: the audit trail's reader-only endpoints are in the table too.
  const issued = await t.relay.enrol({ displayName: 'Table Tester', role: 'manager', org: 'P' });
  device = await enrolWithCode(t.relay.url, issued.code);
  const auth = { token: device.token };
  const created = await call(t.relay.url, 'POST', '/v1/attachments', {
    ...auth,
    body: { size: 32, chunkCount: 1, recipients: [device.accountId] },
  });
  attachmentId = created.json.attachmentId as string;
  const blob = `/v1/attachments/${attachmentId}`;
  const data = Buffer.alloc(32, 7).toString('base64');
  await call(t.relay.url, 'PUT', `${blob}/chunks/0`, { ...auth, body: { data } });
  await call(t.relay.url, 'POST', `${blob}/finish`, auth);
});
afterAll(async () => {
  await t.stop();
});

function examplePath(name: EndpointName): string {
  const params = {
    accountId: device.accountId,
    deviceId: device.deviceId,
    attachmentId,
    chunkIndex: 0,
    roleId: '00000000-0000-4000-8000-000000000000',
  };
  return endpointPath(name, params as never);
}

describe('the relay endpoint table', () => {
  it('is documented entry by entry in docs/protocol.md', () => {
    for (const name of endpointNames) {
      const { method, path: template } = endpoints[name];
      expect(protocolDoc, `${name}: ${method} ${template}`).toContain(`${method} ${template}`);
    }
  });

  it('is exactly what the router routes: no route outside it, no entry left out', () => {
    expect(routes.map((r) => [r.endpoint, r.method, r.name, r.auth])).toEqual(
      endpointNames.map((name) => [
        name,
        endpoints[name].method,
        endpoints[name].path,
        endpoints[name].auth,
      ]),
    );
  });

  it('reaches each entry on a real relay, asking for the token exactly where the table says', async () => {
    for (const name of endpointNames) {
      const { method, auth } = endpoints[name];
      const answer = await call(t.relay.url, method, examplePath(name));
      if (auth === 'device') {
        expect(answer.json?.error?.code, `${method} ${examplePath(name)}`).toBe('unauthorized');
      } else {
        expect(answer.status, `${method} ${examplePath(name)}`).not.toBe(401);
        expect(answer.status).not.toBe(404);
        expect(answer.status).not.toBe(405);
      }
    }
  });

  it('answers each GET entry, with the token, in the shape its response schema gives', async () => {
    for (const name of endpointNames) {
      const { method, response } = endpoints[name];
      if (method !== 'GET') continue;
      const answer = await call(t.relay.url, method, examplePath(name), { token: device.token });
      expect(answer.status, `${name}: ${JSON.stringify(answer.json)}`).toBe(200);
      expect(response.safeParse(answer.json).success, name).toBe(true);
    }
  });

  it('refuses every other method on a table path with 405 and the allowed ones', async () => {
    for (const name of endpointNames) {
      const here = examplePath(name);
      const allowed: string[] = endpointNames
        .filter((other) => examplePath(other) === here)
        .map((other) => endpoints[other].method);
      for (const method of allMethods.filter((m) => !allowed.includes(m))) {
        const answer = await call(t.relay.url, method, here, { token: device.token });
        expect(answer.status, `${method} ${here}`).toBe(405);
        expect(answer.headers.get('allow')?.split(', ').sort()).toEqual([...allowed].sort());
      }
    }
  });

  it('has no endpoint at paths next to the table ones', async () => {
    for (const stray of ['/v1', '/v1/accounts', '/v1/messages', '/v1/keys/count/1', '/v2/me']) {
      const answer = await call(t.relay.url, 'GET', stray, { token: device.token });
      expect(answer.status, stray).toBe(404);
      expect(answer.json.error.code).toBe('not_found');
    }
    const plain = await call(t.relay.url, 'GET', webSocketPath, { token: device.token });
    expect(plain.json.error.code).toBe('upgrade_required');
  });
});
