import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliProfileStore, singleProfileId } from '../../../main/cli/cli-profile.js';
import { runClientCli } from '../../../main/cli/run-client-cli.js';
import { patientRefHash } from '../../../main/core/transcription/patient-ref-hash.js';
import { startTestRelay, type TestRelay } from '../../server/test-relay.js';
import { makeTempDir } from '../core/helpers/temp-profiles.js';
import { runPmsg } from './run-pmsg.js';

// `pmsg client audit --patient <nhs> --since <iso>`: the practice trail filtered by the keyed
// patient hash and by time, over a real relay; a mistyped NHS number or date is exit 2.

const passcode = 'cli passcode 42';
const patientA = '943 476 5919';
const patientB = '4010232137';
const january = Date.UTC(2026, 0, 10, 9, 0);
const june = Date.UTC(2026, 5, 1, 9, 0);

interface Entry {
  action: string;
  at: number;
  patientRefHash: string | null;
}

const pmsg = (args: string[]) => runPmsg(args, passcode);

let relay: TestRelay;
let temp: ReturnType<typeof makeTempDir>;
let dir: string;
let hashA: string;
let hashB: string;

beforeAll(async () => {
  relay = await startTestRelay();
  temp = makeTempDir('pmsg-cli-audit-filter-');
  dir = path.join(temp.dir, 'manager');
  const { code } = await relay.relay.enrol({ displayName: 'Sam Lee', role: 'manager' });
  const enrolled = await pmsg([
    'enrol',
    '--profile',
    dir,
    '--server',
    relay.relay.url,
    '--code',
    code,
  ]);
  expect(enrolled.code, enrolled.err).toBe(0);
  // Two transcriptions on this device, about two patients, months apart (as the transcription
  // service records them: the keyed hash, never the number).
  const store = cliProfileStore(dir);
  const profile = await store.unlock(singleProfileId(store, dir)!, passcode);
  const { audit, settings } = profile.repositories;
  hashA = patientRefHash(settings, patientA, january);
  hashB = patientRefHash(settings, patientB, june);
  for (const [at, hash] of [
    [january, hashA],
    [june, hashB],
  ] as const) {
    audit.append({
      at,
      actorAccountId: null,
      action: 'transcription.confirmed',
      conversationId: 'conv-1',
      messageIds: [`msg-${at}`],
      patientRefHash: hash,
    });
  }
  profile.close();
}, 120_000);
afterAll(async () => {
  await relay?.stop();
  temp?.cleanup();
});

const lines = (out: string[]) => out.map((l) => JSON.parse(l) as Entry);

describe('pmsg client audit filters', () => {
  it('keeps one patient’s entries by NHS number, under every key this device holds', async () => {
    const all = await pmsg(['audit', '--profile', dir]);
    expect(all.code, all.err).toBe(0);
    expect(lines(all.out).filter((e) => e.action === 'transcription.confirmed')).toHaveLength(2);

    const a = await pmsg(['audit', '--profile', dir, '--patient', patientA]);
    expect(a.code, a.err).toBe(0);
    expect(lines(a.out)).toEqual([
      expect.objectContaining({
        action: 'transcription.confirmed',
        at: january,
        patientRefHash: hashA,
      }),
    ]);
    // The NHS number itself is never printed.
    expect(a.out.join('\n')).not.toMatch(/9434765919|943 476 5919/);

    const b = await pmsg(['audit', '--profile', dir, '--patient', patientB]);
    expect(lines(b.out).map((e) => e.patientRefHash)).toEqual([hashB]);
  }, 120_000);

  it('keeps entries from --since on', async () => {
    const since = await pmsg(['audit', '--profile', dir, '--since', '2026-03-01']);
    expect(since.code, since.err).toBe(0);
    const entries = lines(since.out);
    expect(entries.every((e) => e.at >= Date.UTC(2026, 2, 1))).toBe(true);
    expect(entries.map((e) => e.patientRefHash)).toContain(hashB);
    expect(entries.map((e) => e.patientRefHash)).not.toContain(hashA);
    // Both filters at once; a zone on a time is honoured.
    const both = await pmsg([
      'audit',
      '--profile',
      dir,
      '--patient',
      patientA,
      '--since',
      '2026-01-10T10:00+01:00',
    ]);
    expect(lines(both.out).map((e) => e.at)).toEqual([january]);
    const after = await pmsg([
      'audit',
      '--profile',
      dir,
      '--patient',
      patientA,
      '--since',
      '2026-01-10T09:00:01Z',
    ]);
    expect(after.out).toEqual([]);
  }, 120_000);

  it('exits 2 on a mistyped NHS number or date, before opening the profile', async () => {
    for (const [option, value, says] of [
      ['--patient', '943 476 5918', /--patient must be a valid NHS number.*check digit/],
      ['--patient', '94347659', /--patient must be a valid NHS number/],
      ['--since', '2026-02-30', /--since must be an ISO 8601 date/],
      ['--since', 'yesterday', /--since must be an ISO 8601 date/],
      ['--since', '2026-11-30T09:00', /with its zone/],
    ] as const) {
      const run = await pmsg(['audit', '--profile', dir, option, value]);
      expect(run.code, `${option} ${value}`).toBe(2);
      expect(run.err).toMatch(says);
      expect(run.err).toMatch(/Usage: pmsg client audit/);
      expect(run.out).toEqual([]);
    }
    const verify = await pmsg(['audit', '--profile', dir, '--verify', '--since', '2026-01-01']);
    expect(verify.code).toBe(2);
    expect(verify.err).toMatch(/--verify checks the whole chain/);
  });
  // Last: it adds an entry the tests above do not expect.
  it('rotates the practice key, and still finds entries keyed before the rotation', async () => {
    const rotated = await pmsg(['audit-key', 'rotate', '--profile', dir]);
    expect(rotated.code, rotated.err).toBe(0);
    const { version } = JSON.parse(rotated.out[0]!) as { version: number };
    expect(version).toBeGreaterThanOrEqual(2);
    const store = cliProfileStore(dir);
    const profile = await store.unlock(singleProfileId(store, dir)!, passcode);
    const newer = patientRefHash(profile.repositories.settings, patientA, june + 1);
    expect(newer).toMatch(new RegExp(`^hmac-sha256:practice-v${version}:[0-9a-f]{64}$`));
    profile.repositories.audit.append({
      at: june + 1,
      actorAccountId: null,
      action: 'transcription.confirmed',
      conversationId: 'conv-1',
      messageIds: ['msg-after-rotation'],
      patientRefHash: newer,
    });
    profile.close();
    const a = await pmsg(['audit', '--profile', dir, '--patient', patientA]);
    expect(a.code, a.err).toBe(0);
    const found = lines(a.out).filter((e) => e.action === 'transcription.confirmed');
    expect(found.map((e) => e.patientRefHash)).toEqual([hashA, newer]);
    const kinds = lines((await pmsg(['audit', '--profile', dir])).out).map((e) => e.action);
    expect(kinds).toContain('audit.patient_key_rotated');
    const bad = await pmsg(['audit-key', 'rotate']);
    expect(bad.code).toBe(2);
  }, 120_000);

  it('records the policy and a burst of wrong passcodes at a CLI unlock, as the app does', async () => {
    for (const attempt of [1, 2, 3]) {
      const wrong = await runClientCli(['whoami', '--profile', dir], {
        out: () => undefined,
        err: () => undefined,
        env: { PMSG_PASSCODE: `not the passcode ${attempt}` },
      });
      expect(wrong, `attempt ${attempt}`).not.toBe(0);
    }
    // Three wrong passcodes: the next try waits a second.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const run = await pmsg(['audit', '--profile', dir]);
    expect(run.code, run.err).toBe(0);
    const entries = run.out.map(
      (l) => JSON.parse(l) as { action: string; details: Record<string, unknown> },
    );
    expect(entries.filter((e) => e.action === 'unlock.failed_burst').map((e) => e.details)).toEqual(
      [expect.objectContaining({ failures: 3 })],
    );
    expect(entries.some((e) => e.action === 'policy.loaded')).toBe(true);
  }, 120_000);
});
