import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directoryResponseSchema } from '../../shared/protocol/index.js';
import { call, enrolWithCode } from './relay-client.js';
import { runCli, startServeProcess } from './relay-process.js';

// `pmsg relay enrol --gmc --nmc --sds-user-id`: stored by the relay, returned in the directory.

let dataDir: string;
beforeAll(() => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'pmsg-relay-ids-'));
});
afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

const enrol = (name: string, role: string, extra: string[] = []) =>
  runCli(['enrol', '--data', dataDir, '--name', name, '--role', role, '--org', 'Ids', ...extra]);

describe('professional identifiers at enrolment', () => {
  it('refuses a malformed GMC number, NMC PIN or SDS user id with exit 2 and the format', () => {
    const cases: [string[], RegExp][] = [
      [['--gmc', '12345'], /--gmc: a GMC number is 7 digits/],
      [['--nmc', '1234567'], /--nmc: an NMC PIN is 2 digits, a letter, 4 digits, a letter/],
      [['--sds-user-id', 'abc'], /--sds-user-id: an SDS user id is 12 digits/],
    ];
    for (const [extra, message] of cases) {
      const r = enrol('Dr X', 'clinician', extra);
      expect(r.status, extra.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    const another = runCli(['enrol', '--data', dataDir, '--account', 'x', '--gmc', '1234567']);
    expect(another.status).toBe(2);
    expect(another.stderr).toMatch(/leave out .*--gmc/);
  });

  it('stores them and lists them in the directory; staff without them have none', async () => {
    // Only `serve` creates a relay database; the admin commands then work beside it.
    const relay = await startServeProcess(dataDir);
    try {
      const gp = enrol('Dr A Patel', 'clinician', [
        '--gmc',
        '1234567',
        '--sds-user-id',
        '555021935107',
      ]);
      expect(gp.status, gp.stderr).toBe(0);
      expect(JSON.parse(gp.stdout)).toMatchObject({
        gmcNumber: '1234567',
        sdsUserId: '555021935107',
      });
      const nurse = enrol('Sam Nurse', 'nurse', ['--nmc', '12a3456e']);
      expect(nurse.status, nurse.stderr).toBe(0);
      const desk = enrol('Jo Desk', 'reception');
      const device = await enrolWithCode(relay.url, JSON.parse(gp.stdout).code);
      await enrolWithCode(relay.url, JSON.parse(nurse.stdout).code);
      await enrolWithCode(relay.url, JSON.parse(desk.stdout).code);
      const answer = await call(relay.url, 'GET', '/v1/directory', { token: device.token });
      expect(answer.status).toBe(200);
      const { accounts } = directoryResponseSchema.parse(answer.json);
      const byName = Object.fromEntries(accounts.map((a) => [a.displayName, a]));
      expect(byName['Dr A Patel']).toMatchObject({
        gmcNumber: '1234567',
        sdsUserId: '555021935107',
      });
      expect(byName['Dr A Patel']?.nmcPin).toBeUndefined();
      expect(byName['Sam Nurse']).toMatchObject({ nmcPin: '12A3456E' });
      const deskEntry = answer.json as { accounts: Record<string, unknown>[] };
      const raw = deskEntry.accounts.find((a) => a['displayName'] === 'Jo Desk')!;
      expect(Object.keys(raw).sort()).toEqual([
        'accountId',
        'devices',
        'displayName',
        'org',
        'role',
      ]);
    } finally {
      relay.child.kill('SIGTERM');
      await relay.exited;
    }
  });
});
