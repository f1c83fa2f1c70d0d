import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../server/log.js';
import { startRelay, type RunningRelay } from '../../server/relay.js';
import { createTestDatabase, describeBackends, postgresUrl } from './relay-backends.js';
import { call, enrolNew, enrolWithCode } from './relay-client.js';
import { generateDeviceKeys } from './signal-keys.js';
import { startTestRelay, type TestRelay } from './test-relay.js';

// The relay keeps authenticated devices in memory (server/device-auth-cache.ts). Each case first
// makes a call with the token, so that the device is cached, then revokes it: the very next call
// must be refused, not answered from the cache. The revocation poll is set to ten minutes so that
// only the immediate paths (this process's revoke, PostgreSQL NOTIFY) can make that happen.
const noPoll = { revocationPollMs: 600_000 };

describeBackends('cached device tokens', (backend) => {
  let t: TestRelay;
  beforeEach(async () => {
    t = await startTestRelay(noPoll, backend);
  });
  afterEach(async () => t.stop());

  it('refuses a revoked token on the next call after revoke', async () => {
    const fred = await enrolNew(t.relay, 'Fred');
    expect((await call(t.relay.url, 'GET', '/v1/me', { token: fred.token })).status).toBe(200);
    await t.relay.revoke(fred.accountId, { wipe: false });
    const r = await call(t.relay.url, 'GET', '/v1/me', { token: fred.token });
    expect(r.status).toBe(401);
    expect(r.json.error.code).toBe('device_revoked');
  });

  it('answers remote_wipe at once to a device removed by its owner from another device', async () => {
    const first = await enrolNew(t.relay, 'Gina');
    const code = await t.relay.enrol({ accountId: first.accountId });
    const second = await enrolWithCode(t.relay.url, code.code, generateDeviceKeys());
    expect((await call(t.relay.url, 'GET', '/v1/me', { token: second.token })).status).toBe(200);
    const removed = await call(t.relay.url, 'POST', `/v1/devices/${second.deviceId}/remove`, {
      token: first.token,
    });
    expect(removed.status).toBe(200);
    const r = await call(t.relay.url, 'GET', '/v1/me', { token: second.token });
    expect(r.status).toBe(403);
    expect(r.json.error.code).toBe('remote_wipe');
    // The cache of the device still in use is untouched.
    expect((await call(t.relay.url, 'GET', '/v1/me', { token: first.token })).status).toBe(200);
  });
});

describe.skipIf(!postgresUrl)('cached device tokens across relay nodes [postgres]', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  const dirs: string[] = [];
  const nodes: RunningRelay[] = [];
  const startNode = async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'pmsg-relay-test-'));
    dirs.push(dataDir);
    const relay = await startRelay({
      dataDir,
      databaseUrl: database.url,
      host: '127.0.0.1',
      port: 0,
      logger: silentLogger,
      limits: { anonymousBurst: 1000, anonymousPerSecond: 1000, ...noPoll },
    });
    nodes.push(relay);
    return relay;
  };
  beforeEach(async () => {
    database = await createTestDatabase();
  });
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.close()));
    await database.drop();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('another node refuses the token as soon as the revocation is notified', async () => {
    const node1 = await startNode();
    const node2 = await startNode();
    const hana = await enrolNew(node1, 'Hana');
    expect((await call(node2.url, 'GET', '/v1/me', { token: hana.token })).status).toBe(200);
    await node1.revoke(hana.accountId, { wipe: false });
    // NOTIFY is delivered after the commit, so node 2 may answer from its cache for a moment.
    const deadline = Date.now() + 2_000;
    let r = await call(node2.url, 'GET', '/v1/me', { token: hana.token });
    while (r.status === 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      r = await call(node2.url, 'GET', '/v1/me', { token: hana.token });
    }
    expect(r.status).toBe(401);
    expect(r.json.error.code).toBe('device_revoked');
  });
});
