import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, expect, it } from 'vitest';

// `npx pmsg relay serve` runs the relay under `npm exec` and `sh -c`; stopping npx must stop the
// relay too (the shell does not pass signals on), and its folder must then be free to remove.
const root = path.resolve(import.meta.dirname, '../..');
let dataDir: string | null = null;
afterEach(() => {
  if (!dataDir) return;
  // A relay left running by a failed run is found by its unique data folder and stopped.
  spawnSync('pkill', ['-f', dataDir]);
  rmSync(dataDir, { recursive: true, force: true });
});

async function refused(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(1_000) });
    return false;
  } catch {
    return true;
  }
}

it('SIGTERM to `npx pmsg relay serve` stops the relay it started', async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'pmsg-npx-signals-'));
  const npx = spawn('npx', ['pmsg', 'relay', 'serve', '--data', dataDir, '--port', '0'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: npx.stdout });
  let url: string | null = null;
  for await (const line of lines) {
    const match = /"event":"listening","url":"([^"]+)"/.exec(line);
    if (match) {
      url = match[1] as string;
      break;
    }
  }
  expect(url).not.toBeNull();
  expect(await refused(url as string)).toBe(false);

  npx.kill('SIGTERM');
  const deadline = Date.now() + 10_000;
  while (!(await refused(url as string)) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
  }
  expect(await refused(url as string)).toBe(true);
});
