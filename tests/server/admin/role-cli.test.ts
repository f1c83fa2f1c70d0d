import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBackends } from '../relay-backends.js';
import { runCli } from '../relay-process.js';
import { startTestRelay, type TestRelay } from '../test-relay.js';

// `pmsg relay role create|list|delete` on both stores, while the relay serves.

describeBackends('pmsg relay role', (backend) => {
  let t: TestRelay;
  beforeAll(async () => {
    t = await startTestRelay({}, backend);
  });
  afterAll(async () => {
    await t.stop();
  });

  // Ten runs of the CLI from source: slow on a loaded machine.
  it(
    'creates roles with an escalation, lists them, refuses bad usage, deletes',
    { timeout: 480_000 },
    async () => {
      const org = ['--org', 'Riverside Surgery'];
      const all = runCli(['role', 'create', ...t.storeArgs, ...org, '--name', 'All clinicians']);
      expect(all.status, all.stderr).toBe(0);
      const duty = runCli([
        'role',
        'create',
        ...t.storeArgs,
        ...org,
        '--name',
        'Duty doctor',
        '--escalate-after',
        '10m',
        '--escalate-to',
        'all clinicians',
      ]);
      expect(duty.status, duty.stderr).toBe(0);
      expect(JSON.parse(duty.stdout)).toMatchObject({
        name: 'Duty doctor',
        org: 'Riverside Surgery',
        escalateAfterMs: 600_000,
        escalateTo: { name: 'All clinicians' },
      });

      const badDuration = runCli([
        'role',
        'create',
        ...t.storeArgs,
        '--name',
        'X',
        '--escalate-after',
        'soon',
        '--escalate-to',
        'All clinicians',
      ]);
      expect(badDuration.status).toBe(2);
      expect(badDuration.stderr).toContain('--escalate-after must be a duration such as 10m');
      const half = runCli([
        'role',
        'create',
        ...t.storeArgs,
        '--name',
        'X',
        '--escalate-after',
        '5m',
      ]);
      expect(half.status).toBe(2);
      expect(runCli(['role', 'list']).status).toBe(2);
      expect(runCli(['role', 'rename', ...t.storeArgs]).status).toBe(2);
      const taken = runCli(['role', 'create', ...t.storeArgs, ...org, '--name', 'DUTY DOCTOR']);
      expect(taken.status).toBe(1);
      expect(taken.stderr).toContain('already has a role');

      // Visible to devices of the organisation at once.
      const { roles } = JSON.parse(runCli(['role', 'list', ...t.storeArgs]).stdout) as {
        roles: { name: string; org: string }[];
      };
      expect(roles.map((r) => `${r.org}/${r.name}`)).toEqual([
        'Riverside Surgery/All clinicians',
        'Riverside Surgery/Duty doctor',
      ]);
      const inUse = runCli(['role', 'delete', ...t.storeArgs, ...org, '--role', 'All clinicians']);
      expect(inUse.status).toBe(1);
      expect(inUse.stderr).toContain('"Duty doctor" escalates to "All clinicians"');
      const gone = runCli(['role', 'delete', ...t.storeArgs, ...org, '--role', 'duty doctor']);
      expect(gone.status, gone.stderr).toBe(0);
      const left = JSON.parse(
        runCli(['role', 'list', ...t.storeArgs, '--org', 'Riverside Surgery']).stdout,
      ) as { roles: { name: string }[] };
      expect(left.roles.map((r) => r.name)).toEqual(['All clinicians']);
    },
  );
});
