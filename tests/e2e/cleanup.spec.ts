/**
 * The demo and the test harness leave nothing behind (issue 17): their temporary folder (with
 * profiles, FHIR files and SAR exports) is removed and their processes end on SIGINT and SIGTERM,
 * sent to `npm run demo` itself (npm and the keyring wrapper must pass them on) and to the
 * harness the e2e tests start. Both run as one Node process (`node --import tsx`): tsx's own
 * launcher gives its child 30 ms to acknowledge a signal and then SIGKILLs it, which on a busy
 * machine skipped the cleanup.
 */
import { expect, test } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';

const root = path.resolve(import.meta.dirname, '../..');

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

/** Resolves the first capture of `pattern` in the child's output. */
function waitForLine(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const match = pattern.exec(line);
      if (match) resolve(match[1] ?? line);
    });
    child.once('exit', (code) => reject(new Error(`Exited early (${code}).`)));
  });
}

async function refused(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(2000) });
    return false;
  } catch {
    return true;
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`npm run demo: ${signal} removes its folder and stops the relay and harness`, async () => {
    test.setTimeout(180_000);
    const demo = spawn('npm', ['run', '--silent', 'demo'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const output: string[] = [];
    demo.stdout!.on('data', (chunk: Buffer) => output.push(String(chunk)));
    const dataDir = await waitForLine(demo, /^Data lives in (\S+) for this run only/);
    const text = output.join('');
    const relayUrl = /a relay on (\S+) and three staff/.exec(text)?.[1] ?? '';
    const harnessUrl = /Reception \(Sam Jones\):\s+(\S+)/.exec(text)?.[1] ?? '';
    expect(existsSync(path.join(dataDir, 'profiles', 'manager'))).toBe(true);
    expect(await refused(harnessUrl)).toBe(false);
    // What it promises: a simulated clipboard, said so.
    expect(text).toContain('simulated clipboard');

    demo.kill(signal);
    const code = await exited(demo);
    expect(existsSync(dataDir)).toBe(false);
    expect(await refused(harnessUrl)).toBe(true);
    expect(await refused(relayUrl.replace(/^ws/, 'http'))).toBe(true);
    // A clean stop, or npm reporting the signal it passed on (128 + its number).
    expect([0, signal === 'SIGINT' ? 130 : 143]).toContain(code);
  });
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`the e2e harness: ${signal} removes its folder`, async () => {
    const harness = spawn(process.execPath, ['--import', 'tsx', 'tests/harness/harness-cli.ts'], {
      cwd: root,
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const first = await waitForLine(harness, /^(\{.*\})$/);
    const info = JSON.parse(first) as { dataDir: string; url: string };
    expect(existsSync(info.dataDir)).toBe(true);
    harness.kill(signal);
    expect(await exited(harness)).toBe(0);
    expect(existsSync(info.dataDir)).toBe(false);
    expect(await refused(info.url)).toBe(true);
  });
}
