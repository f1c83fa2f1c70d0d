import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

const root = path.resolve(import.meta.dirname, '../..');
const entry = path.join(root, 'server/cli-entry.ts');

export interface RelayNode {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
  /** SIGTERM and wait (SIGKILL already sent is fine). */
  stop(): Promise<void>;
}

/**
 * `pmsg relay serve --database <url>` from source, as its own node process (node --import tsx,
 * not the tsx wrapper: a SIGKILL must reach the relay itself, not a parent that leaves it running).
 */
export async function startRelayNode(
  databaseUrl: string,
  extra: string[] = [],
): Promise<RelayNode> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', entry, 'serve', '--database', databaseUrl, '--port', '0', ...extra],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stderr?.resume();
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const firstLine = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('relay node did not start in 30 s')), 30_000);
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve(line);
    });
    void exited.then((code) => reject(new Error(`relay node exited early with ${code}`)));
  });
  return {
    child,
    url: (JSON.parse(firstLine) as { url: string }).url,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * Runs `pmsg relay <args>` from source to completion, without blocking this process (whose
 * sockets must keep receiving meanwhile); `exitedAt` is when it ended (Date.now()).
 */
export async function relayCli(
  args: string[],
): Promise<{ status: number | null; stdout: string; stderr: string; exitedAt: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 30_000,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const status = await new Promise<number | null>((resolve) => child.once('close', resolve));
  return { status, stdout, stderr, exitedAt: Date.now() };
}

/** `pmsg relay enrol --database` for a new account; returns the code. */
export async function enrolCode(
  databaseUrl: string,
  name: string,
  org = 'Cluster Practice',
): Promise<string> {
  const r = await relayCli([
    'enrol',
    '--database',
    databaseUrl,
    '--name',
    name,
    '--role',
    'clinician',
    '--org',
    org,
  ]);
  if (r.status !== 0) throw new Error(`enrol failed: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { code: string }).code;
}
