import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBackends } from './relay-backends.js';
import { call, enrolWithCode, type EnrolledDevice } from './relay-client.js';
import { relayCli } from './relay-node.js';
import { startTestRelay, type TestRelay } from './test-relay.js';

// `pmsg relay set-role`: a member of staff gets another role, and the practice audit trail records
// it; a new practice manager becomes an audit reader at once.

describeBackends('pmsg relay set-role', (backend) => {
  let t: TestRelay;
  let manager: EnrolledDevice;
  let receptionist: EnrolledDevice;
  let otherOrg: string;

  beforeAll(async () => {
    t = await startTestRelay({}, backend);
    const enrol = async (displayName: string, role: 'manager' | 'reception', org: string) =>
      enrolWithCode(t.relay.url, (await t.relay.enrol({ displayName, role, org })).code);
    manager = await enrol('Karen Hughes', 'manager', 'Riverside');
    receptionist = await enrol('Sam Jones', 'reception', 'Riverside');
    otherOrg = (await t.relay.enrol({ displayName: 'Dr H', role: 'clinician', org: 'Hillside' }))
      .accountId;
  });
  afterAll(async () => {
    await t.stop();
  });

  it('changes the role, records it in the audit trail, and the new manager reads it', async () => {
    const r = await relayCli([
      'set-role',
      ...t.storeArgs,
      '--account',
      receptionist.accountId,
      '--role',
      'manager',
      '--org',
      'Riverside',
    ]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      accountId: receptionist.accountId,
      from: 'reception',
      to: 'manager',
    });
    expect((await t.relay.storage.getAccount(receptionist.accountId))?.role).toBe('manager');
    // The former receptionist may read the trail now, and finds their own promotion in it.
    const read = await call(t.relay.url, 'POST', '/v1/audit/read', {
      token: receptionist.token,
      body: {},
    });
    expect(read.status).toBe(200);
    const changes = (read.json.records as { source: string; payload: string }[])
      .filter((rec) => rec.source === 'relay')
      .map((rec) => JSON.parse(Buffer.from(rec.payload, 'base64').toString()) as object)
      .filter((p) => (p as { kind: string }).kind === 'account.role_changed');
    expect(changes).toEqual([
      expect.objectContaining({
        accountId: receptionist.accountId,
        deviceId: 1,
        displayName: 'Sam Jones',
        role: 'manager',
        previousRole: 'reception',
      }),
    ]);
    const readers = await call(t.relay.url, 'GET', '/v1/audit/readers', { token: manager.token });
    expect(
      (readers.json.readers as { accountId: string }[]).map((x) => x.accountId).sort(),
    ).toEqual([manager.accountId, receptionist.accountId].sort());
    expect(
      (await call(t.relay.url, 'GET', '/v1/audit/verify', { token: manager.token })).json,
    ).toMatchObject({ intact: true });
  });

  it('refuses a bad role (exit 2) and an account of another organisation (exit 1)', async () => {
    const bad = await relayCli([
      'set-role',
      ...t.storeArgs,
      '--account',
      receptionist.accountId,
      '--role',
      'boss',
    ]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--role must be one of/);
    const scoped = await relayCli([
      'set-role',
      ...t.storeArgs,
      '--account',
      otherOrg,
      '--role',
      'manager',
      '--org',
      'Riverside',
    ]);
    expect(scoped.status).toBe(1);
    expect(scoped.stderr).toMatch(/in organisation "Riverside"/);
    expect((await t.relay.storage.getAccount(otherOrg))?.role).toBe('clinician');
  });

  it('refuses a revoked account, and the same role again records nothing', async () => {
    await t.relay.revoke(manager.accountId, { wipe: false });
    expect(
      await t.relay.storage.changeRole({ accountId: manager.accountId, role: 'admin', now: 1 }),
    ).toEqual({ ok: false, reason: 'revoked' });
    const before = (
      await t.relay.storage.readAudit('Riverside', { afterSeq: 0, beforeSeq: null, limit: 500 })
    ).records.length;
    expect(
      await t.relay.storage.changeRole({
        accountId: receptionist.accountId,
        role: 'manager',
        now: 2,
      }),
    ).toEqual({ ok: true, from: 'manager', to: 'manager' });
    expect(
      (await t.relay.storage.readAudit('Riverside', { afterSeq: 0, beforeSeq: null, limit: 500 }))
        .records,
    ).toHaveLength(before);
  });
});
