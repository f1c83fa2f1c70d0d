import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

const root = path.resolve(import.meta.dirname, '../..');
// One Node process per command (`--import tsx`): a signal sent to it reaches the relay itself.
// Through tsx's launcher a SIGKILL ended the launcher alone and left the relay running.
const tsx = [process.execPath, '--import', 'tsx'] as const;
const entry = path.join(root, 'server/cli-entry.ts');

/** Runs `pmsg relay <args>` from source to completion. */
export function runCli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(tsx[0], [...tsx.slice(1), entry, ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  firstLine: string;
  exited: Promise<number | null>;
}

/** Starts `pmsg relay serve` as a child process and waits for its first stdout line. */
export async function startServeProcess(
  dataDir: string,
  extra: string[] = [],
): Promise<ServeProcess> {
  const child = spawn(
    tsx[0],
    [
      ...tsx.slice(1),
      entry,
      'serve',
      '--data',
      dataDir,
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      ...extra,
    ],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  child.stderr?.resume();
  const lines = createInterface({ input: child.stdout! });
  const firstLine = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('relay did not start in 30 s')), 30_000);
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve(line);
    });
    void exited.then((code) => reject(new Error(`relay exited early with ${code}`)));
  });
  const parsed = JSON.parse(firstLine) as { event: string; url: string };
  return { child, url: parsed.url, firstLine, exited };
}
