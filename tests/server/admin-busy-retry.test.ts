import path from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { changeRole, revokeAccess } from '../../server/admin.js';
import { storageFailureKind } from '../../server/storage/storage-failure.js';
import {
  relayDatabaseFile,
  SqliteRelayStorage,
} from '../../server/storage/sqlite-relay-storage.js';
import { enrolWithCode, type EnrolledDevice } from './relay-client.js';
import { startTestRelay, type TestRelay } from './test-relay.js';

// A revocation or role change, recorded in the practice audit chain, must not fail because a
// burst of device appends held the store's lock past one attempt's timeout: IT's `pmsg relay
// revoke` waits its turn (server/storage/busy-retry.ts). The lock is held here by another
// connection, as the running relay's group commit holds it under load.

let t: TestRelay;
let gp: EnrolledDevice;
let admin: SqliteRelayStorage;

function holdWriteLock(ms: number): Promise<void> {
  const blocker = new Database(path.join(t.dataDir, relayDatabaseFile));
  blocker.exec('BEGIN IMMEDIATE');
  return new Promise((resolve) =>
    setTimeout(() => {
      blocker.exec('COMMIT');
      blocker.close();
      resolve();
    }, ms),
  );
}

beforeEach(async () => {
  t = await startTestRelay();
  const issued = await t.relay.enrol({
    displayName: 'Dr A Patel',
    role: 'clinician',
    org: 'Riverside Surgery',
  });
  gp = await enrolWithCode(t.relay.url, issued.code);
  // The admin CLI's store on the same data directory, with one attempt shorter than the hold.
  admin = new SqliteRelayStorage(t.dataDir, { busyTimeoutMs: 5, busyRetryMs: 200 });
});
afterEach(async () => {
  await admin.close();
  await t.stop();
});

describe('relay-side audited admin actions under a held lock', () => {
  it('one attempt fails busy, as a device append would (503)', async () => {
    const held = holdWriteLock(1_500);
    const attempt = admin.revoke({ accountId: gp.accountId, deviceId: 1, wipe: false, now: 1 });
    await expect(attempt).rejects.toSatisfy((e: unknown) => storageFailureKind(e) === 'busy');
    await held;
  });

  it('a revocation and a role change wait for the lock instead of failing', async () => {
    let held = holdWriteLock(1_500);
    const started = performance.now();
    expect(await changeRole(admin, gp.accountId, 'nurse')).toMatchObject({
      from: 'clinician',
      to: 'nurse',
    });
    expect(performance.now() - started).toBeGreaterThan(1_000);
    await held;
    held = holdWriteLock(1_500);
    const revoked = await revokeAccess(admin, gp.accountId, { deviceId: 1, wipe: true });
    expect(revoked.map((d) => d.deviceId)).toEqual([1]);
    await held;
    const trail = await admin.verifyAudit('Riverside Surgery');
    expect(trail.intact).toBe(true);
  });
});
