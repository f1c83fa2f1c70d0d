import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../server/log.js';
import { startRelay, type RunningRelay } from '../../server/relay.js';
import { storageFailureKind } from '../../server/storage/storage-failure.js';
import { createTestDatabase, postgresUrl } from './relay-backends.js';
import { call, enrolWithCode, type EnrolledDevice } from './relay-client.js';

// The practice audit trail with two relay nodes on one PostgreSQL database: appends through
// both at once, a relay record among them, still make one unbroken chain per organisation.

if (!postgresUrl) {
  process.stderr.write(
    'PMSG_TEST_POSTGRES_URL is not set: the audit trail node tests are skipped.\n',
  );
}

describe.skipIf(!postgresUrl)('the practice audit trail on two PostgreSQL relay nodes', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let dataDir: string;
  const nodes: RunningRelay[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    dataDir = mkdtempSync(path.join(tmpdir(), 'pmsg-relay-audit-nodes-'));
    for (let i = 0; i < 2; i += 1) {
      nodes.push(
        await startRelay({
          dataDir,
          databaseUrl: database.url,
          host: '127.0.0.1',
          port: 0,
          logger: silentLogger,
          limits: { anonymousBurst: 1000, anonymousPerSecond: 1000 },
        }),
      );
    }
  });
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.close()));
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const enrol = async (
    name: string,
    role: 'manager' | 'clinician',
    org: string,
  ): Promise<EnrolledDevice> => {
    const issued = await nodes[0]!.enrol({ displayName: name, role, org });
    return enrolWithCode(nodes[0]!.url, issued.code);
  };

  /**
   * As a device sends: a 503 (the chain's lock not had within the relay's lock timeout, on a
   * loaded machine) means nothing was stored, so the same records go again after Retry-After.
   */
  const append = async (node: RunningRelay, device: EnrolledDevice, ids: string[]) => {
    for (;;) {
      const result = await call(node.url, 'POST', '/v1/audit', {
        token: device.token,
        body: {
          records: ids.map((id) => ({
            clientRecordId: id,
            sealed: Buffer.from(`sealed ${id}`).toString('base64'),
          })),
        },
      });
      if (result.status !== 503) return result;
      expect(result.json.error.code).toBe('storage_unavailable');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };

  it('keeps one valid chain per organisation while both nodes append at once', async () => {
    const manager = await enrol('Practice Manager', 'manager', 'Riverside');
    const gps = await Promise.all(
      ['Dr A', 'Dr B', 'Dr C'].map((name) => enrol(name, 'clinician', 'Riverside')),
    );
    const otherManager = await enrol('Hillside Manager', 'manager', 'Hillside');
    const otherGp = await enrol('Dr H', 'clinician', 'Hillside');

    const requests: Promise<{ status: number; json: { appended: number[] } }>[] = [];
    for (let round = 0; round < 8; round += 1) {
      for (const [index, gp] of gps.entries()) {
        const node = nodes[(round + index) % 2]!;
        requests.push(append(node, gp, [`r${round}-a`, `r${round}-b`, `r${round}-c`]));
      }
      requests.push(append(nodes[round % 2]!, otherGp, [`h${round}`]));
    }
    // A relay record (the revocation of Dr C's device) joins the chain in the middle of the burst.
    // Retried like an append when the chain's lock is not had in time (nothing was done then).
    const revoked = (async () => {
      for (;;) {
        try {
          return await nodes[1]!.revoke(gps[2]!.accountId, { wipe: false });
        } catch (error) {
          if (storageFailureKind(error) !== 'busy') throw error;
        }
      }
    })();
    const results = await Promise.all(requests);
    await revoked;
    const appended = results.flatMap((r) => {
      // Dr C's requests after the revocation are refused; none may half-succeed.
      expect([200, 401, 403], JSON.stringify(r.json)).toContain(r.status);
      return r.status === 200 ? r.json.appended : [];
    });
    expect(new Set(appended).size).toBe(appended.length);

    for (const node of nodes) {
      const verified = await call(node.url, 'GET', '/v1/audit/verify', { token: manager.token });
      expect(verified.json).toMatchObject({ intact: true, brokenAt: null });
      const read = await call(node.url, 'POST', '/v1/audit/read', {
        token: manager.token,
        body: {},
      });
      const records = read.json.records as {
        seq: number;
        source: string;
        prevHash: string;
        hash: string;
      }[];
      expect(verified.json.records).toBe(records.length);
      // 4 enrolments + the revocation + every device record appended for Riverside.
      const riversideAppended = results
        .filter((r, i) => r.status === 200 && i % 4 !== 3)
        .flatMap((r) => r.json.appended);
      expect(records.filter((r) => r.source === 'device').map((r) => r.seq)).toEqual(
        [...riversideAppended].sort((a, b) => a - b),
      );
      expect(records.filter((r) => r.source === 'relay')).toHaveLength(5);
      for (let i = 1; i < records.length; i += 1) {
        expect(records[i]!.seq).toBeGreaterThan(records[i - 1]!.seq);
        expect(records[i]!.prevHash).toBe(records[i - 1]!.hash);
      }
    }
    const hillside = await call(nodes[1]!.url, 'GET', '/v1/audit/verify', {
      token: otherManager.token,
    });
    // 2 enrolments + 8 records, none of Riverside's.
    expect(hillside.json).toMatchObject({ intact: true, records: 10 });
  });

  it('stores a record once when its retry races the original through the other node', async () => {
    const manager = await enrol('Manager', 'manager', 'Brookside');
    const gp = await enrol('Dr R', 'clinician', 'Brookside');
    const ids = Array.from({ length: 10 }, (_, i) => `race-${i}`);
    const [one, two] = await Promise.all([append(nodes[0]!, gp, ids), append(nodes[1]!, gp, ids)]);
    expect(one.status).toBe(200);
    expect(two.status).toBe(200);
    const stored = [...one.json.appended, ...two.json.appended];
    const duplicates = [...one.json.duplicates, ...two.json.duplicates] as string[];
    expect(stored).toHaveLength(10);
    expect(duplicates.sort()).toEqual([...ids].sort());
    const verified = await call(nodes[0]!.url, 'GET', '/v1/audit/verify', {
      token: manager.token,
    });
    expect(verified.json).toMatchObject({ intact: true, records: 12 });
  });
});
