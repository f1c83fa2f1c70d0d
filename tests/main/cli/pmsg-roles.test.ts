import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRelay, type TestRelay } from '../../server/test-relay.js';
import { makeTempDir } from '../core/helpers/temp-profiles.js';
import { pmsg } from './pmsg-process.js';

// `pmsg client duty|send --role|ack|directory|history` with duty roles, through a real relay.

const json = (run: { stdout: string }) => JSON.parse(run.stdout) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const lines = (run: { stdout: string }) =>
  run.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, any>); // eslint-disable-line @typescript-eslint/no-explicit-any

let relay: TestRelay;
let temp: ReturnType<typeof makeTempDir>;
beforeAll(async () => {
  relay = await startTestRelay();
  temp = makeTempDir('pmsg-cli-roles-');
});
afterAll(async () => {
  await relay.stop();
  temp.cleanup();
});

describe('pmsg client with duty roles', () => {
  // Some twenty runs of the CLI, each deriving its profile key: slow on a loaded machine.
  it(
    'duty start, directory, send --role, receive, ack, history',
    { timeout: 480_000 },
    async () => {
      const roles = relay.relay.roles;
      await roles.createRole({
        org: 'default',
        name: 'All clinicians',
        escalateAfterMs: null,
        escalateTo: null,
        now: Date.now(),
      });
      await roles.createRole({
        org: 'default',
        name: 'Duty doctor',
        escalateAfterMs: 600_000,
        escalateTo: 'All clinicians',
        now: Date.now(),
      });
      const rec = path.join(temp.dir, 'reception');
      const gp = path.join(temp.dir, 'gp');
      for (const [dir, name, role] of [
        [rec, 'Reception', 'reception'],
        [gp, 'Dr A Patel', 'clinician'],
      ] as const) {
        const { code } = await relay.relay.enrol({ displayName: name, role });
        const run = await pmsg([
          'enrol',
          '--profile',
          dir,
          '--server',
          relay.relay.url,
          '--code',
          code,
        ]);
        expect(run.code, run.stderr).toBe(0);
      }

      const noHolder = await pmsg([
        'send',
        '--profile',
        rec,
        '--role',
        'Duty doctor',
        '--text',
        'x',
      ]);
      expect(noHolder.code).toBe(1);
      expect(noHolder.stderr).toContain('Nobody is on duty as Duty doctor');

      const badVerb = await pmsg(['duty', 'begin', '--profile', gp, '--role', 'Duty doctor']);
      expect(badVerb.code).toBe(2);
      const start = await pmsg(['duty', 'start', '--profile', gp, '--role', 'duty doctor']);
      expect(start.code, start.stderr).toBe(0);
      expect(json(start)).toMatchObject({ role: 'Duty doctor', onDuty: true });

      const directory = JSON.parse((await pmsg(['directory', '--profile', rec])).stdout) as {
        kind: string;
        name?: string;
        displayName?: string;
        onDuty?: string[];
        holders?: { displayName: string }[];
      }[];
      expect(directory.find((e) => e.kind === 'role' && e.name === 'Duty doctor')?.holders).toEqual(
        [expect.objectContaining({ displayName: 'Dr A Patel' })],
      );
      expect(directory.find((e) => e.displayName === 'Dr A Patel')?.onDuty).toEqual([
        'Duty doctor',
      ]);

      const both = await pmsg([
        'send',
        '--profile',
        rec,
        '--role',
        'Duty doctor',
        '--to',
        'x',
        '--text',
        'x',
      ]);
      expect(both.code).toBe(2);
      const sent = await pmsg([
        'send',
        '--profile',
        rec,
        '--role',
        'Duty doctor',
        '--text',
        'Please ring the care home back',
        '--urgent',
      ]);
      expect(sent.code, sent.stderr).toBe(0);
      const out = json(sent);
      expect(out).toMatchObject({
        role: 'Duty doctor',
        to: 'To Duty doctor → Dr A Patel',
        holders: [{ displayName: 'Dr A Patel', status: 'sent' }],
        escalation: { to: 'All clinicians', holders: [] },
      });
      expect(out.alertId).toMatch(/^[A-Za-z0-9_-]{16,64}$/);

      const got = lines(await pmsg(['receive', '--profile', gp, '--timeout', '1']));
      expect(got).toEqual([
        expect.objectContaining({
          text: 'Please ring the care home back',
          urgent: true,
          role: 'Duty doctor',
          ack: expect.objectContaining({ state: 'waiting' }),
        }),
      ]);
      const ack = await pmsg(['ack', '--profile', gp, '--message', got[0]!.messageId as string]);
      expect(ack.code, ack.stderr).toBe(0);
      expect(json(ack)).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'Dr A Patel' });
      const again = await pmsg(['ack', '--profile', gp, '--message', got[0]!.messageId as string]);
      expect(again.code, again.stderr).toBe(0);

      const me = json(await pmsg(['whoami', '--profile', gp]));
      const history = lines(await pmsg(['history', '--profile', rec, '--with', me.accountId]));
      expect(history[0]).toMatchObject({
        text: 'Please ring the care home back',
        role: 'Duty doctor',
        ack: {
          state: 'acknowledged',
          acknowledgedBy: 'Dr A Patel',
          line: expect.stringMatching(/^Acknowledged by Dr A Patel at \d\d:\d\d$/),
        },
      });

      // A file to the role: each holder gets it over their 1:1 session, tagged with the role.
      const letter = path.join(temp.dir, 'discharge.pdf');
      const pdf = '%PDF-1.4\n% Discharge summary: please review the medication changes.\n%%EOF\n';
      writeFileSync(letter, pdf);
      const filed = await pmsg([
        'send',
        '--profile',
        rec,
        '--role',
        'Duty doctor',
        '--file',
        letter,
        '--text',
        'Discharge letter for review',
        '--ack',
      ]);
      expect(filed.code, filed.stderr).toBe(0);
      expect(json(filed)).toMatchObject({
        to: 'To Duty doctor → Dr A Patel',
        holders: [{ displayName: 'Dr A Patel', status: 'sent' }],
        attachment: { name: 'discharge.pdf', type: 'application/pdf' },
      });
      const inbox = path.join(temp.dir, 'inbox');
      mkdirSync(inbox);
      const receivedFile = await pmsg(['receive', '--profile', gp, '--save-to', inbox]);
      expect(receivedFile.code, receivedFile.stderr).toBe(0);
      const gotFile = lines(receivedFile);
      expect(gotFile).toEqual([
        expect.objectContaining({
          text: 'Discharge letter for review',
          role: 'Duty doctor',
          ack: expect.objectContaining({ state: 'waiting' }),
          file: expect.any(String),
        }),
      ]);
      expect(readFileSync(gotFile[0]!.file as string, 'utf8')).toBe(pdf);
    },
  );
});
