import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseRota, RotaCsvError } from '../../server/roles/rota-csv.js';
import { describeBackends } from './relay-backends.js';
import { enrolWithCode } from './relay-client.js';
import { runCli } from './relay-process.js';
import { startTestRelay, type TestRelay } from './test-relay.js';

// A duty rota (date, session, role, staff) starts and ends duty by itself, on the relay's clock.

const at = (y: number, m: number, d: number, h: number, min = 0) =>
  new Date(y, m - 1, d, h, min).getTime();

// The shifts of the relay test lie in the future, so the relay's own sweeps on the real clock
// never reach them; the test applies the rota at chosen times.
const future = new Date();
future.setDate(future.getDate() + 3);
const [fy, fm, fd] = [future.getFullYear(), future.getMonth() + 1, future.getDate()];
const futureDate = `${fy}-${String(fm).padStart(2, '0')}-${String(fd).padStart(2, '0')}`;

describe('the rota file', () => {
  it('reads sessions and both date forms, and names every bad line at once', () => {
    const shifts = parseRota(
      'date,session,role,staff\n2026-12-01,am,Duty doctor,Dr A Patel\n02/12/2026,14:00-18:00,Duty doctor,Dr C Khan\n',
    );
    expect(shifts).toEqual([
      {
        line: 2,
        startsAt: at(2026, 12, 1, 8),
        endsAt: at(2026, 12, 1, 13),
        role: 'Duty doctor',
        staff: 'Dr A Patel',
      },
      {
        line: 3,
        startsAt: at(2026, 12, 2, 14),
        endsAt: at(2026, 12, 2, 18),
        role: 'Duty doctor',
        staff: 'Dr C Khan',
      },
    ]);
    const bad = () =>
      parseRota(
        'date,session,role,staff\n2026-02-30,am,Duty doctor,Dr A\n2026-12-01,evening,Duty doctor,\n',
      );
    expect(bad).toThrow(RotaCsvError);
    expect(bad).toThrow(/line 2: date.*line 3: session.*line 3: staff is empty/);
    expect(() => parseRota('when,who\n')).toThrow(/first row must name the columns/);
  });
});

describeBackends('an imported rota', (backend) => {
  let test: TestRelay;
  let dir: string;
  afterEach(async () => {
    await test.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts and ends duty at the session times; a bad row imports nothing', async () => {
    test = await startTestRelay({}, backend);
    dir = mkdtempSync(path.join(tmpdir(), 'pmsg-rota-'));
    const { relay } = test;
    await relay.enrol({ displayName: 'Dr A Patel', role: 'clinician' });
    await relay.enrol({ displayName: 'Dr C Khan', role: 'clinician' });
    // Holders are active accounts: enrol a device for each.
    for (const name of ['Dr A Patel', 'Dr C Khan']) {
      const accounts = await relay.storage.listAllAccounts();
      const account = accounts.find((a) => a.displayName === name)!;
      const { code } = await relay.enrol({ accountId: account.accountId });
      await enrolWithCode(relay.url, code);
    }
    await relay.roles.createRole({
      org: 'default',
      name: 'Duty doctor',
      escalateAfterMs: null,
      escalateTo: null,
      now: Date.now(),
    });

    const bad = path.join(dir, 'bad.csv');
    writeFileSync(
      bad,
      `date,session,role,staff\n${futureDate},am,Duty doctor,Dr A Patel\n${futureDate},pm,Duty doctor,Dr Nobody\n`,
    );
    const refused = runCli(['role', 'rota', ...test.storeArgs, '--csv', bad]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('line 3: nobody active called "Dr Nobody"');

    const good = path.join(dir, 'rota.csv');
    writeFileSync(
      good,
      `date,session,role,staff\n${futureDate},am,Duty doctor,Dr A Patel\n${futureDate},pm,duty doctor,dr c khan\n`,
    );
    const imported = runCli(['role', 'rota', ...test.storeArgs, '--csv', good]);
    expect(imported.status, imported.stderr).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ imported: 2 });

    const holders = async () =>
      (await relay.roles.findRole('default', 'Duty doctor'))!.holders.map((h) => h.displayName);
    await relay.roles.applyRota(at(fy, fm, fd, 7, 59));
    expect(await holders()).toEqual([]);
    await relay.roles.applyRota(at(fy, fm, fd, 8, 30));
    expect(await holders()).toEqual(['Dr A Patel']);
    await relay.roles.applyRota(at(fy, fm, fd, 13, 0));
    expect(await holders()).toEqual(['Dr C Khan']);
    await relay.roles.applyRota(at(fy, fm, fd, 19, 0));
    expect(await holders()).toEqual([]);
    expect(await relay.roles.nextDeadline()).toBeNull();
  });
});
