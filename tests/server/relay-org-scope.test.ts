import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBackends } from './relay-backends.js';
import { relayCli } from './relay-node.js';
import { startTestRelay, type TestRelay } from './test-relay.js';

// One relay hosting two practices: an administrator scoped with --org sees and touches only
// their own organisation's staff.

describeBackends('admin commands scoped with --org', (backend) => {
  let t: TestRelay;
  let riverside: string;
  let hillside: string;
  beforeAll(async () => {
    t = await startTestRelay({}, backend);
    riverside = (await t.relay.enrol({ displayName: 'Dr R', role: 'clinician', org: 'Riverside' }))
      .accountId;
    hillside = (await t.relay.enrol({ displayName: 'Dr H', role: 'clinician', org: 'Hillside' }))
      .accountId;
  });
  afterAll(async () => {
    await t.stop();
  });

  it('list --org shows that organisation only', async () => {
    const r = await relayCli(['list', ...t.storeArgs, '--org', 'Riverside']);
    expect(r.status).toBe(0);
    const ids = (JSON.parse(r.stdout) as { accounts: { accountId: string }[] }).accounts.map(
      (a) => a.accountId,
    );
    expect(ids).toEqual([riverside]);
  });

  it('revoke and enrol --account refuse an account of another organisation, and change nothing', async () => {
    const revoke = await relayCli([
      'revoke',
      ...t.storeArgs,
      '--org',
      'Riverside',
      '--account',
      hillside,
    ]);
    expect(revoke.status).toBe(1);
    expect(revoke.stderr).toMatch(/in organisation "Riverside"/);
    expect((await t.relay.storage.getAccount(hillside))?.status).toBe('pending');
    const enrol = await relayCli([
      'enrol',
      ...t.storeArgs,
      '--org',
      'Riverside',
      '--account',
      hillside,
    ]);
    expect(enrol.status).toBe(1);
    const own = await relayCli([
      'revoke',
      ...t.storeArgs,
      '--org',
      'Hillside',
      '--account',
      hillside,
    ]);
    expect(own.status).toBe(0);
    expect((await t.relay.storage.getAccount(hillside))?.status).toBe('revoked');
  });
});
