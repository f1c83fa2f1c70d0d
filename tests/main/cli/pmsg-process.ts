/**
 * `pmsg client …` as its own process, for the CLI suites: one Node process per command
 * (`--import tsx`, no tsx launcher in between), with the test passcode in PMSG_PASSCODE unless
 * `env` says otherwise.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

const entry = path.resolve('tests/main/cli/pmsg-client.ts');

export const cliPasscode = 'cli passcode 42';

export interface PmsgRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function pmsg(
  args: string[],
  env: Record<string, string> = { PMSG_PASSCODE: cliPasscode },
): Promise<PmsgRun> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
      env: { ...process.env, PMSG_PASSCODE: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
