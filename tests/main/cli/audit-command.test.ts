import path from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { relayDatabaseFile } from '../../../server/storage/sqlite-relay-storage.js';
import { startTestRelay, type TestRelay } from '../../server/test-relay.js';
import { makeTempDir } from '../core/helpers/temp-profiles.js';
import { pmsg } from './pmsg-process.js';

// `pmsg client audit --profile P [--verify]`: the practice trail as JSON lines for a manager,
// refused to a receptionist, and a tampered relay table reported with exit 1.

let relay: TestRelay;
let temp: ReturnType<typeof makeTempDir>;
beforeAll(async () => {
  relay = await startTestRelay();
  temp = makeTempDir('pmsg-cli-audit-');
});
afterAll(async () => {
  await relay.stop();
  temp.cleanup();
});

async function enrol(name: string, role: 'manager' | 'reception') {
  const dir = path.join(temp.dir, role);
  const { code } = await relay.relay.enrol({ displayName: name, role });
  const run = await pmsg(['enrol', '--profile', dir, '--server', relay.relay.url, '--code', code]);
  expect(run.code, run.stderr).toBe(0);
  return dir;
}

describe('pmsg client audit', () => {
  it('prints the trail to a manager, refuses a receptionist, and reports tampering', async () => {
    const manager = await enrol('Sam Lee', 'manager');
    const reception = await enrol('Jane Doe', 'reception');

    const read = await pmsg(['audit', '--profile', manager]);
    expect(read.code, read.stderr).toBe(0);
    const entries = read.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { action: string; source: string; seq: number });
    // The relay's two enrolments, then the policy this CLI unlock ran under (once, not per unlock).
    expect(entries.map((e) => e.action)).toEqual([
      'device.enrolled',
      'device.enrolled',
      'policy.loaded',
    ]);

    const verified = await pmsg(['audit', '--profile', manager, '--verify']);
    expect(JSON.parse(verified.stdout)).toEqual({ intact: true, brokenAt: null, records: 3 });

    const refused = await pmsg(['audit', '--profile', reception]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/manager and admin/);

    const db = new Database(path.join(relay.dataDir, relayDatabaseFile));
    db.prepare('DELETE FROM audit_trail WHERE seq = ?').run(entries[0]!.seq);
    db.close();
    const broken = await pmsg(['audit', '--profile', manager, '--verify']);
    expect(broken.code).toBe(1);
    expect(JSON.parse(broken.stdout)).toMatchObject({ intact: false, brokenAt: entries[1]!.seq });
    // Seven CLI processes, each deriving a profile key: slow on a loaded machine.
  }, 180_000);
});
