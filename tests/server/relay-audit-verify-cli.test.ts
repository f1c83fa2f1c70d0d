import path from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { relayDatabaseFile } from '../../server/storage/sqlite-relay-storage.js';
import { describeBackends } from './relay-backends.js';
import { call, enrolWithCode, type EnrolledDevice } from './relay-client.js';
import { relayCli } from './relay-node.js';
import { startTestRelay, type TestRelay } from './test-relay.js';

// `pmsg relay audit verify`: IT checks the practice audit chains on the relay's own storage and
// is told where one breaks.

interface VerifyOutput {
  ok: boolean;
  events: number;
  firstBrokenAt?: number;
  brokenOrg?: string;
  reason?: string;
  orgs: { org: string; ok: boolean; events: number; brokenAt?: number }[];
}

describeBackends('pmsg relay audit verify', (backend) => {
  let t: TestRelay;
  let riverside: EnrolledDevice;
  let hillside: EnrolledDevice;
  let appended: number[];

  const enrol = async (org: string) =>
    enrolWithCode(
      t.relay.url,
      (await t.relay.enrol({ displayName: `GP at ${org}`, role: 'clinician', org })).code,
    );
  const verify = async (...extra: string[]) => {
    const r = await relayCli(['audit', 'verify', ...t.storeArgs, ...extra]);
    return { ...r, json: r.stdout ? (JSON.parse(r.stdout) as VerifyOutput) : null };
  };

  /** Edits the relay database as someone with the disk could. */
  async function tamper(sql: string): Promise<void> {
    if (t.databaseUrl) {
      const client = new pg.Client(t.databaseUrl);
      await client.connect();
      try {
        await client.query(sql);
      } finally {
        await client.end();
      }
      return;
    }
    const db = new Database(path.join(t.dataDir, relayDatabaseFile));
    try {
      db.exec(sql);
    } finally {
      db.close();
    }
  }

  beforeAll(async () => {
    t = await startTestRelay({}, backend);
    riverside = await enrol('Riverside');
    hillside = await enrol('Hillside');
    const result = await call(t.relay.url, 'POST', '/v1/audit', {
      token: riverside.token,
      body: {
        records: ['a', 'b', 'c'].map((id) => ({
          clientRecordId: id,
          sealed: Buffer.from(`sealed ${id}`).toString('base64'),
        })),
      },
    });
    appended = (result.json as { appended: number[] }).appended;
    await call(t.relay.url, 'POST', '/v1/audit', {
      token: hillside.token,
      body: { records: [{ clientRecordId: 'h', sealed: Buffer.from('h').toString('base64') }] },
    });
  });
  afterAll(async () => {
    await t.stop();
  });

  it('says every chain is intact, with the number of events per organisation', async () => {
    const r = await verify();
    expect(r.status).toBe(0);
    expect(r.json).toMatchObject({ ok: true, events: 6 });
    expect(r.json?.firstBrokenAt).toBeUndefined();
    expect(r.json?.orgs.map((o) => [o.org, o.ok, o.events])).toEqual([
      ['Hillside', true, 2],
      ['Riverside', true, 4],
    ]);
  });

  it('exits 2 on bad usage, naming what is wrong', async () => {
    const bare = await relayCli(['audit']);
    expect(bare.status).toBe(2);
    expect(bare.stderr).toMatch(/audit verify/);
    expect((await relayCli(['audit', 'check', ...t.storeArgs])).status).toBe(2);
    const noStore = await relayCli(['audit', 'verify']);
    expect(noStore.status).toBe(2);
    expect(noStore.stderr).toMatch(/--data/);
    expect((await relayCli(['audit', 'verify', ...t.storeArgs, '--since', 'x'])).status).toBe(2);
    expect((await relayCli(['audit', 'verify', ...t.storeArgs, '--org', ' '])).status).toBe(2);
    const unknown = await relayCli(['audit', 'verify', ...t.storeArgs, '--org', 'Nowhere']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/no organisation "Nowhere"/);
  });

  it('reports a deleted row where the chain breaks, exits 1, and --org checks one organisation', async () => {
    await tamper(`DELETE FROM audit_trail WHERE seq = ${appended[1]}`);
    const r = await verify();
    expect(r.status).toBe(1);
    expect(r.json).toMatchObject({
      ok: false,
      firstBrokenAt: appended[2],
      brokenOrg: 'Riverside',
      reason: 'missing_predecessor',
    });
    const riversideCheck = r.json?.orgs.find((o) => o.org === 'Riverside');
    // The enrolment and record a verify; b is gone, so c does not fit.
    expect(riversideCheck).toMatchObject({ ok: false, brokenAt: appended[2], events: 2 });
    const other = await verify('--org', 'Hillside');
    expect(other.status).toBe(0);
    expect(other.json).toMatchObject({ ok: true, events: 2 });
    expect(other.json?.orgs.map((o) => o.org)).toEqual(['Hillside']);
  });

  it('reports an altered relay record by its signature or hash', async () => {
    // The first Hillside record is the relay's record of the GP's enrolment.
    await tamper(`UPDATE audit_trail SET account_id = 'someone-else'
                   WHERE seq = (SELECT MIN(seq) FROM audit_trail WHERE org = 'Hillside')`);
    const r = await verify('--org', 'Hillside');
    expect(r.status).toBe(1);
    expect(r.json).toMatchObject({ ok: false, brokenOrg: 'Hillside', reason: 'altered' });
  });
});
