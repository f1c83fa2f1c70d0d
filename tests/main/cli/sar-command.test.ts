import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliProfileStore } from '../../../main/cli/cli-profile.js';
import { GP, RECEPTION, enrolledProfile, storeMessage } from '../core/helpers/clinical-profile.js';
import { PASSCODE, makeTempDir } from '../core/helpers/temp-profiles.js';
import { runPmsg } from './run-pmsg.js';

// `pmsg client sar --patient <nhs> --out <folder>`: one patient's messages only; nothing found
// is exit 1 with nothing written; a mistyped number exit 2.

const t0 = Date.UTC(2026, 10, 2, 8, 0);
let temp: ReturnType<typeof makeTempDir>;
let dir: string;
let out: string;
let policyFile: string;

beforeEach(async () => {
  temp = makeTempDir('pmsg-cli-sar-');
  dir = path.join(temp.dir, 'gp');
  out = path.join(temp.dir, 'sar');
  mkdirSync(out);
  policyFile = path.join(temp.dir, 'policy.json');
  writeFileSync(policyFile, '{"allowExport":true}');
  const profile = await enrolledProfile(cliProfileStore(dir), GP, t0);
  const say = (text: string, minutes: number) =>
    storeMessage(profile, {
      self: GP,
      peer: RECEPTION,
      sender: RECEPTION,
      text,
      sentAt: t0 + minutes * 60_000,
    });
  say('Mrs A 943 476 5919 asks about ibuprofen', 1);
  say('Mr B 401 023 2137 wants a call back', 2);
  profile.close();
});
afterEach(() => temp.cleanup());

const pmsg = (args: string[]) => runPmsg(args, PASSCODE);

describe('pmsg client sar', () => {
  it("writes one patient's messages and prints what it wrote", async () => {
    const run = await pmsg([
      'sar',
      '--profile',
      dir,
      '--patient',
      '9434765919',
      '--out',
      out,
      '--reference',
      'SAR-7',
      '--policy',
      policyFile,
    ]);
    expect(run.code, run.err).toBe(0);
    const result = JSON.parse(run.out[0]!) as { files: string[]; messageCount: number };
    expect(result).toMatchObject({ exported: true, conversations: 1, messageCount: 1 });
    // Not enrolled: the trail is said to be left out, never a silent 0.
    expect(result).toMatchObject({
      auditEntries: 0,
      practiceTrail: { included: false, reason: expect.stringMatching(/not enrolled/) },
    });
    expect(run.err).toMatch(/Practice audit trail not included/);
    expect(readdirSync(out).sort()).toEqual([...result.files].sort());
    const json = readFileSync(path.join(out, result.files[1]!), 'utf8');
    expect(json).toContain('ibuprofen');
    expect(json).not.toContain('401 023 2137');
  }, 60_000);

  it('fails with nothing written when no message mentions the patient; exit 2 on a bad number', async () => {
    const none = await pmsg([
      'sar',
      '--profile',
      dir,
      '--patient',
      '485 777 3457',
      '--out',
      out,
      '--policy',
      policyFile,
    ]);
    expect(none.code).toBe(1);
    expect(none.err).toMatch(/nothing was exported/);
    expect(none.out).toEqual([]);
    expect(readdirSync(out)).toEqual([]);
    const bad = await pmsg(['sar', '--profile', dir, '--patient', '943 476 5918', '--out', out]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--patient must be a valid NHS number/);
  }, 60_000);
});
