/**
 * `pmsg relay` as shipped: the compiled dist/server (run `npm run build:node` first; `npm test`
 * builds). Starts in a fraction of tsx's time, which matters for tests that run many commands,
 * and is the process IT runs: signals reach the relay itself, with no launcher in between.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';

const root = path.resolve(import.meta.dirname, '../../..');
const entry = path.join(root, 'dist/server/cli-entry.js');

function built(): string {
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build:node\` first.`);
  return entry;
}

export function runRelayCli(args: string[]): {
  status: number | null;
  stdout: string;
  stderr: string;
} {
  const result = spawnSync(process.execPath, [built(), ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export function runRelayCliAsync(
  args: string[],
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [built(), ...args], { cwd: root });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

export interface BuiltServe {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
  stop(): Promise<number | null>;
}

/** `pmsg relay serve <args>`; resolves once it prints its listening line. */
export async function startBuiltServe(args: string[]): Promise<BuiltServe> {
  const child = spawn(process.execPath, [built(), 'serve', ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  child.stderr?.resume();
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('relay did not start in 60 s')), 60_000);
    createInterface({ input: child.stdout! }).once('line', (l) => {
      clearTimeout(timer);
      resolve(l);
    });
    void exited.then((code) => reject(new Error(`relay exited early with ${code}`)));
  });
  return {
    child,
    url: (JSON.parse(line) as { url: string }).url,
    exited,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
