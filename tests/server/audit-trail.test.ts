import path from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import pg from 'pg';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { relayDatabaseFile } from '../../server/storage/sqlite-relay-storage.js';
import { describeBackends, type RelayBackend } from './relay-backends.js';
import { call, enrolWithCode, type EnrolledDevice } from './relay-client.js';
import { startTestRelay, type TestRelay } from './test-relay.js';

// The practice audit trail on the relay (docs/protocol.md §13): append-only, hash-chained, read
// by managers and admins only, with the relay's own enrol/revoke/wipe records in the same chain.
// On both backends; the PostgreSQL one with several nodes in relay-audit-nodes.test.ts.

describeBackends('the practice audit trail on the relay', (backend) => {
  let t: TestRelay;
  let manager: EnrolledDevice;
  let gp: EnrolledDevice;
  let receptionist: EnrolledDevice;

  async function enrol(name: string, role: 'manager' | 'clinician' | 'reception') {
    const issued = await t.relay.enrol({ displayName: name, role, org: 'Riverside Surgery' });
    return enrolWithCode(t.relay.url, issued.code);
  }

  const sealed = (n: number) => Buffer.from(`opaque sealed record ${n}`).toString('base64');

  async function append(device: EnrolledDevice, ids: string[]) {
    return call(t.relay.url, 'POST', '/v1/audit', {
      token: device.token,
      body: { records: ids.map((id, n) => ({ clientRecordId: id, sealed: sealed(n) })) },
    });
  }

  const verify = (device: EnrolledDevice) =>
    call(t.relay.url, 'GET', '/v1/audit/verify', { token: device.token });

  /** Edits the relay database behind the relay's back, as someone with the disk could. */
  async function tamper(sql: string | Record<RelayBackend, string>): Promise<void> {
    const text = typeof sql === 'string' ? sql : sql[backend];
    if (t.databaseUrl) {
      const client = new pg.Client(t.databaseUrl);
      await client.connect();
      try {
        await client.query(text);
      } finally {
        await client.end();
      }
      return;
    }
    const db = new Database(path.join(t.dataDir, relayDatabaseFile));
    try {
      db.exec(text);
    } finally {
      db.close();
    }
  }

  beforeEach(async () => {
    t = await startTestRelay({}, backend);
    manager = await enrol('Practice Manager', 'manager');
    gp = await enrol('Dr A Patel', 'clinician');
    receptionist = await enrol('Reception', 'reception');
  });
  afterEach(async () => {
    await t.stop();
  });

  it('lists the audit readers (manager, admin) to every device, with their identity keys', async () => {
    const result = await call(t.relay.url, 'GET', '/v1/audit/readers', { token: gp.token });
    expect(result.status).toBe(200);
    expect(result.json.readers).toEqual([
      { accountId: manager.accountId, deviceId: manager.deviceId, identityKey: expect.any(String) },
    ]);
  });

  it('chains device records after the relay records of enrolment, and a manager reads them', async () => {
    expect((await append(gp, ['e1', 'e2'])).json).toEqual({
      appended: [expect.any(Number), expect.any(Number)],
      duplicates: [],
    });
    // A retried append is recognised, not stored twice.
    expect((await append(gp, ['e2'])).json.duplicates).toEqual(['e2']);
    const read = await call(t.relay.url, 'POST', '/v1/audit/read', {
      token: manager.token,
      body: {},
    });
    expect(read.status).toBe(200);
    const records = read.json.records as {
      source: string;
      payload: string;
      prevHash: string;
      hash: string;
    }[];
    expect(records.map((r) => r.source)).toEqual(['relay', 'relay', 'relay', 'device', 'device']);
    const enrolled = JSON.parse(Buffer.from(records[1]!.payload, 'base64').toString()) as {
      kind: string;
      accountId: string;
    };
    expect(enrolled).toMatchObject({ kind: 'device.enrolled', accountId: gp.accountId });
    for (let i = 1; i < records.length; i += 1) {
      expect(records[i]!.prevHash).toBe(records[i - 1]!.hash);
    }
    expect((await verify(manager)).json).toMatchObject({
      intact: true,
      records: 5,
      brokenAt: null,
    });
  });

  it('keeps each organisation to its own readers and chain on a relay hosting two', async () => {
    const issued = await t.relay.enrol({
      displayName: 'Hillside Manager',
      role: 'manager',
      org: 'Hillside Surgery',
    });
    const otherManager = await enrolWithCode(t.relay.url, issued.code);
    const otherGp = await enrolWithCode(
      t.relay.url,
      (await t.relay.enrol({ displayName: 'Dr H', role: 'clinician', org: 'Hillside Surgery' }))
        .code,
    );
    await append(gp, ['riverside-1']);
    await append(otherGp, ['hillside-1']);
    // Riverside's devices seal to Riverside's manager only, and the other way round.
    const readers = async (device: EnrolledDevice) =>
      (
        (await call(t.relay.url, 'GET', '/v1/audit/readers', { token: device.token })).json as {
          readers: { accountId: string }[];
        }
      ).readers.map((r) => r.accountId);
    expect(await readers(gp)).toEqual([manager.accountId]);
    expect(await readers(otherGp)).toEqual([otherManager.accountId]);
    const read = async (device: EnrolledDevice) =>
      (
        (await call(t.relay.url, 'POST', '/v1/audit/read', { token: device.token, body: {} }))
          .json as { records: { accountId: string }[] }
      ).records.map((r) => r.accountId);
    const hillside = await read(otherManager);
    expect(new Set(hillside)).toEqual(new Set([otherManager.accountId, otherGp.accountId]));
    expect(await read(manager)).not.toContain(otherGp.accountId);
    expect((await verify(otherManager)).json).toMatchObject({ intact: true, records: 3 });
    expect((await verify(manager)).json).toMatchObject({ intact: true, records: 4 });
  });

  it('refuses a receptionist and a GP who ask to read or verify the trail', async () => {
    for (const device of [receptionist, gp]) {
      const read = await call(t.relay.url, 'POST', '/v1/audit/read', {
        token: device.token,
        body: {},
      });
      expect(read.status).toBe(403);
      expect(read.json.error.code).toBe('forbidden');
      expect((await verify(device)).status).toBe(403);
    }
  });

  it('records a revocation with wipe, and the wipe once the device is told', async () => {
    await t.relay.revoke(gp.accountId, { deviceId: gp.deviceId, wipe: true });
    // The revoked device's next request is answered with remote_wipe, which marks it delivered.
    expect((await call(t.relay.url, 'GET', '/v1/me', { token: gp.token })).status).toBe(403);
    const read = await call(t.relay.url, 'POST', '/v1/audit/read', {
      token: manager.token,
      body: {},
    });
    const kinds = (read.json.records as { source: string; payload: string }[])
      .filter((r) => r.source === 'relay')
      .map(
        (r) => (JSON.parse(Buffer.from(r.payload, 'base64').toString()) as { kind: string }).kind,
      );
    expect(kinds).toEqual([
      'device.enrolled',
      'device.enrolled',
      'device.enrolled',
      'device.revoked',
      'device.wiped',
    ]);
    expect((await verify(manager)).json.intact).toBe(true);
  });

  it('detects a deleted record', async () => {
    const { appended } = (await append(gp, ['a', 'b', 'c'])).json as { appended: number[] };
    await tamper(`DELETE FROM audit_trail WHERE seq = ${appended[1]}`);
    expect((await verify(manager)).json).toMatchObject({ intact: false, brokenAt: appended[2] });
  });

  it('detects two records swapped', async () => {
    const { appended } = (await append(gp, ['a', 'b', 'c'])).json as { appended: number[] };
    const [first, second] = [appended[0]!, appended[1]!];
    await tamper(`UPDATE audit_trail SET seq = -1 WHERE seq = ${first};
            UPDATE audit_trail SET seq = ${first} WHERE seq = ${second};
            UPDATE audit_trail SET seq = ${second} WHERE seq = -1;`);
    expect((await verify(manager)).json).toMatchObject({ intact: false, brokenAt: first });
  });

  it('detects an altered record', async () => {
    const { appended } = (await append(gp, ['a', 'b'])).json as { appended: number[] };
    await tamper({
      sqlite: `UPDATE audit_trail SET payload = X'00' WHERE seq = ${appended[0]}`,
      postgres: `UPDATE audit_trail SET payload = '\\x00'::bytea WHERE seq = ${appended[0]}`,
    });
    expect((await verify(manager)).json).toMatchObject({ intact: false, brokenAt: appended[0] });
  });

  it('detects a relay record whose signature was removed or forged, though its hash fits', async () => {
    const read = await call(t.relay.url, 'POST', '/v1/audit/read', {
      token: manager.token,
      body: {},
    });
    const relayRecords = (read.json.records as { seq: number; source: string }[]).filter(
      (r) => r.source === 'relay',
    );
    const [first, second] = [relayRecords[0]!.seq, relayRecords[1]!.seq];
    // Another record's signature is a valid signature, but not over this record's hash.
    await tamper(`UPDATE audit_trail SET signature = (SELECT signature FROM audit_trail WHERE seq = ${first})
                   WHERE seq = ${second}`);
    expect((await verify(manager)).json).toMatchObject({
      intact: false,
      brokenAt: second,
      reason: 'bad_signature',
    });
    await tamper(`UPDATE audit_trail SET signature = NULL WHERE seq = ${first}`);
    expect((await verify(manager)).json).toMatchObject({
      brokenAt: first,
      reason: 'bad_signature',
    });
  });

  it('keeps the chain verifiable after retention removes the oldest records', async () => {
    await append(gp, ['old']);
    await tamper(`UPDATE audit_trail SET created_at = 0`);
    await append(gp, ['new']);
    const removed = await t.relay.storage.pruneAudit(1);
    expect(removed).toBe(4);
    expect((await verify(manager)).json).toMatchObject({ intact: true, records: 1 });
    const read = await call(t.relay.url, 'POST', '/v1/audit/read', {
      token: manager.token,
      body: {},
    });
    expect(read.json.anchor.seq).toBe(4);
  });

  it('pages newest first with beforeSeq, each page oldest first and linked to the next', async () => {
    await append(gp, ['p1', 'p2', 'p3', 'p4', 'p5']);
    const read = (body: Record<string, unknown>) =>
      call(t.relay.url, 'POST', '/v1/audit/read', { token: manager.token, body });
    type Wire = { seq: number; prevHash: string; hash: string };
    const all = (await read({})).json.records as Wire[];
    expect(all).toHaveLength(8);

    // Newest page first, then older pages, until an empty one.
    const pages: Wire[][] = [];
    for (let before = Number.MAX_SAFE_INTEGER; ;) {
      const page = await read({ beforeSeq: before, limit: 3 });
      expect(page.status).toBe(200);
      const records = page.json.records as Wire[];
      if (records.length === 0) break;
      pages.push(records);
      before = records[0]!.seq;
    }
    expect(pages.map((p) => p.length)).toEqual([3, 3, 2]);
    expect(pages.flatMap((p) => p.map((r) => r.seq))).toEqual(
      [...all.slice(5), ...all.slice(2, 5), ...all.slice(0, 2)].map((r) => r.seq),
    );
    // Each older page's newest record is what the newer page's oldest record points back to.
    for (let i = 1; i < pages.length; i += 1) {
      expect(pages[i - 1]![0]!.prevHash).toBe(pages[i]![pages[i]!.length - 1]!.hash);
    }
    // Between afterSeq and beforeSeq: the newest of that range.
    const between = await read({ afterSeq: all[1]!.seq, beforeSeq: all[6]!.seq, limit: 2 });
    expect((between.json.records as Wire[]).map((r) => r.seq)).toEqual([all[4]!.seq, all[5]!.seq]);

    for (const [body, says] of [
      [{ beforeSeq: 0 }, /beforeSeq: beforeSeq must be at least 1/],
      [{ beforeSeq: 2.5 }, /beforeSeq must be a whole number/],
      [{ beforeSeq: '9' }, /beforeSeq/],
      [{ afterSeq: 5, beforeSeq: 5 }, /beforeSeq must be greater than afterSeq/],
      [{ beforeSeq: 10, limit: 501 }, /limit/],
    ] as const) {
      const bad = await read(body);
      expect(bad.status, JSON.stringify(body)).toBe(400);
      expect(bad.json.error.message, JSON.stringify(body)).toMatch(says);
    }
    // A reader only: a GP cannot page either.
    expect(
      (
        await call(t.relay.url, 'POST', '/v1/audit/read', {
          token: gp.token,
          body: { beforeSeq: 100 },
        })
      ).status,
    ).toBe(403);
  });
});
