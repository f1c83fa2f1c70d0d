import path from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PracticeAuditForwarder } from '../../../../main/core/audit/practice-audit-forwarder.js';
import { PracticeAuditCache } from '../../../../main/core/audit/practice-audit-reader.js';
import { readRelayAccount } from '../../../../main/core/messaging/relay-account.js';
import type { RelayHttp } from '../../../../main/core/messaging/relay/relay-http.js';
import { relayDatabaseFile } from '../../../../server/storage/sqlite-relay-storage.js';
import { createWorld, type Staff, type World } from '../messaging/messaging-harness.js';

// The manager's view no longer reads the whole practice trail on every refresh: the first read
// of the view checks the whole chain, a refresh fetches only the records after the last one
// verified (and checks them on from it), an older page comes from what is here. Real relay.

let world: World;
let manager: Staff;
let gp: Staff;

beforeEach(async () => {
  world = await createWorld();
  const enrol = async (name: string, role: 'manager' | 'clinician') =>
    world.enrolWithCode(
      name,
      (await world.relay.relay.enrol({ displayName: name, role, org: 'Riverside Surgery' })).code,
    );
  manager = await enrol('Sam Lee', 'manager');
  gp = await enrol('Dr Amira Khan', 'clinician');
});
afterEach(async () => {
  await world.cleanup();
});

async function gpRecords(n: number) {
  for (let i = 0; i < n; i += 1) {
    gp.profile.repositories.audit.append({
      at: Date.now(),
      actorAccountId: gp.accountId,
      action: 'duty_started',
      details: { roleId: `role-${i}` },
    });
  }
  const account = readRelayAccount(gp.profile.repositories.settings)!;
  await new PracticeAuditForwarder(gp.profile.repositories, account, gp.core.relay).flush();
}

/** The manager's relay, counting which records each read asked for. */
function counting() {
  const asked: number[] = [];
  const http = {
    call: (name: string, input?: { body?: { afterSeq?: number } }) => {
      if (name === 'auditRead') asked.push(input?.body?.afterSeq ?? 0);
      return (manager.core.relay.call as (n: string, i?: unknown) => Promise<unknown>)(name, input);
    },
  } as unknown as RelayHttp;
  return { http, asked };
}

describe("the manager's view of the practice trail", () => {
  it('reads the whole chain once, then only what is new, and pages from what it has', async () => {
    await gpRecords(3);
    const cache = new PracticeAuditCache();
    const { http, asked } = counting();
    const account = readRelayAccount(manager.profile.repositories.settings)!;
    const read = (mode: 'full' | 'newer' | 'cached') =>
      cache.read(http, manager.profile.repositories, account, Date.now, mode);

    const first = await read('full');
    expect(first).toMatchObject({ intact: true, records: 5 });
    expect(asked).toEqual([0]);
    const lastSeq = Math.max(...first.entries.map((e) => e.seq));

    await gpRecords(2);
    const second = await read('newer');
    expect(asked).toEqual([0, lastSeq]);
    expect(second).toMatchObject({ intact: true, records: 7 });
    expect(second.entries.filter((e) => e.action === 'duty_started')).toHaveLength(5);

    // An older page: no relay read at all.
    expect((await read('cached')).records).toBe(7);
    expect(asked).toHaveLength(2);

    // A record appended after a tampered link is caught by the incremental read.
    await gpRecords(1);
    const db = new Database(path.join(world.relay.dataDir, relayDatabaseFile));
    const newest = db.prepare('SELECT MAX(seq) AS seq FROM audit_trail').get() as { seq: number };
    db.prepare('UPDATE audit_trail SET prev_hash = ? WHERE seq = ?').run(
      '0'.repeat(64),
      newest.seq,
    );
    db.close();
    const third = await read('newer');
    expect(third).toMatchObject({ intact: false, brokenAt: newest.seq });

    // And the view opened afresh checks the whole chain again.
    expect((await read('full')).brokenAt).toBe(newest.seq);
    expect(asked.at(-1)).toBe(0);
  });
});
