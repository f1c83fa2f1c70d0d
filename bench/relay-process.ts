// The relay (or a bare `ws` echo server as the baseline) in its own process for the relay
// benchmarks, as in production: its own core and event loop. Imported by the benchmarks; run by
// them as a child (`--serve-relay <dir> <limits json>` / `--serve-echo`), which prints its URL as
// the first line of stdout. The child also ends when its stdin closes, so a benchmark killed
// without a chance to clean up (SIGKILL) does not leave a relay behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';
import { silentLogger } from '../server/log.js';
import { startRelay } from '../server/relay.js';
import type { RelayLimits } from '../server/relay-services.js';

const self = fileURLToPath(import.meta.url);

export interface BenchChild {
  readonly child: ChildProcess;
  readonly url: string;
}

async function startChild(args: string[]): Promise<BenchChild> {
  // PMSG_BENCH_CPU_PROF=<dir>: the relay (or echo) process writes a V8 CPU profile there.
  const profile = process.env.PMSG_BENCH_CPU_PROF;
  const profiling = profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [];
  const child = spawn(process.execPath, [...process.execArgv, ...profiling, self, ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`bench server exited (${code}) before its URL`)));
  });
  return { child, url: (JSON.parse(line) as { url: string }).url };
}

/**
 * A relay on `dataDir` (SQLite, synchronous=FULL unless PMSG_BENCH_SYNC=NORMAL) with these
 * limits over the defaults: each benchmark raises only what it must and says why.
 */
export function startRelayProcess(
  dataDir: string,
  limits: Partial<RelayLimits> = {},
): Promise<BenchChild> {
  return startChild(['--serve-relay', dataDir, JSON.stringify(limits)]);
}

/** A bare `ws` server echoing every message to its sender: raw WebSocket messaging. */
export function startEchoProcess(): Promise<BenchChild> {
  return startChild(['--serve-echo']);
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** Resident set of a process now and at its peak, in MiB (Linux /proc; null elsewhere). */
export function processMemory(pid: number): { rssMiB: number; peakMiB: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field: string) =>
      Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1]);
    return { rssMiB: kib('VmRSS') / 1024, peakMiB: kib('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

function exitWhenOrphaned(close: () => Promise<void>): void {
  const stop = () => void close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdin.on('end', stop).resume();
}

async function serveRelay(dataDir: string, limits: Partial<RelayLimits>): Promise<void> {
  const relay = await startRelay({
    dataDir,
    host: '127.0.0.1',
    port: 0,
    logger: silentLogger,
    sqlite: { synchronous: process.env.PMSG_BENCH_SYNC === 'NORMAL' ? 'NORMAL' : 'FULL' },
    limits,
  });
  console.log(JSON.stringify({ url: relay.url }));
  exitWhenOrphaned(async () => {
    const cpu = process.cpuUsage();
    console.error(
      `relay process cpu: user ${Math.round(cpu.user / 1000)} ms, system ${Math.round(cpu.system / 1000)} ms`,
    );
    await relay.close();
  });
}

function serveEcho(): void {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  wss.on('connection', (ws) =>
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })),
  );
  wss.on('listening', () => {
    const address = wss.address() as { port: number };
    console.log(JSON.stringify({ url: `ws://127.0.0.1:${address.port}` }));
  });
  exitWhenOrphaned(async () => undefined);
}

if (process.argv[1] === self) {
  if (process.argv[2] === '--serve-relay') {
    await serveRelay(process.argv[3]!, JSON.parse(process.argv[4] ?? '{}') as Partial<RelayLimits>);
  } else if (process.argv[2] === '--serve-echo') {
    serveEcho();
  }
}
