// `npm run bench relay-hostile`: what hostile clients cost a relay process (its own process, real
// sockets). Figures: sockets one address can hold before the cap acts; the relay's RSS while
// 5,000 unauthenticated connection attempts arrive from 40 addresses (baseline: the same relay
// idle, in the same run); /v1/health latency while another process holds the database's write
// lock and a send waits for it (baseline: health latency with no lock, same run).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { call, enrolWithCode, envelopeFor } from '../tests/server/relay-client.js';
import { figure } from './figures.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const childScript = path.join(root, 'tests/server/hostile/relay-child.ts');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/);
  return Number(line?.[1] ?? 0) / 1024;
}

function open(
  port: number,
  localAddress: string,
): Promise<{ socket: Socket; closed: () => boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, localAddress });
    let closed = false;
    socket.on('close', () => (closed = true));
    socket.resume(); // read the 429, so a refused socket's close is seen
    socket.on('error', (e) => (socket.connecting ? reject(e) : undefined));
    socket.once('connect', () => resolve({ socket, closed: () => closed }));
  });
}

const dataDir = mkdtempSync(path.join(tmpdir(), 'pmsg-bench-hostile-'));
const child = spawn(
  process.execPath,
  ['--import', 'tsx', childScript, dataDir, JSON.stringify({ codes: 2 })],
  { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] },
);
const { url, codes } = JSON.parse(
  await new Promise<string>((r) => createInterface({ input: child.stdout! }).once('line', r)),
) as { url: string; codes: string[] };
const port = Number(new URL(url).port);
const pid = child.pid!;
try {
  const alice = await enrolWithCode(url, codes[0]!);
  const bob = await enrolWithCode(url, codes[1]!);
  await sleep(6000); // enrolment's kept-alive connections close
  const idleRss = rssMiB(pid);

  // 1. One address: how many silent sockets does the relay hold?
  const one = await Promise.all(Array.from({ length: 1000 }, () => open(port, '127.0.0.2')));
  await sleep(500);
  const held = one.filter((s) => !s.closed()).length;
  one.forEach((s) => s.socket.destroy());
  await sleep(500);

  // 2. 5,000 attempts from 40 addresses, each writing a token-less WebSocket upgrade, then silent.
  const upgrade =
    'GET /v1/websocket HTTP/1.1\r\nHost: r\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMiB(pid))), 20);
  const attempts: { socket: Socket; closed: () => boolean }[] = [];
  for (let a = 0; a < 40; a += 1) {
    const batch = await Promise.all(
      Array.from({ length: 125 }, () => open(port, `127.0.1.${a + 1}`)),
    );
    for (const s of batch) s.socket.write(upgrade);
    attempts.push(...batch);
  }
  await sleep(1000);
  clearInterval(sampler);
  const floodHeld = attempts.filter((s) => !s.closed()).length;
  const floodRss = rssMiB(pid);
  attempts.forEach((s) => s.socket.destroy());

  // 3. Health latency, without and with another process holding the write lock.
  const health = async () => {
    const t = performance.now();
    await (await fetch(`${url}/v1/health`)).text();
    return performance.now() - t;
  };
  const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)]!;
  const free: number[] = [];
  for (let i = 0; i < 20; i += 1) free.push(await health());
  const holder = spawn(
    process.execPath,
    [
      '-e',
      "const D=require('better-sqlite3-multiple-ciphers');const d=new D(process.argv[1]);d.exec('BEGIN IMMEDIATE');console.log('l');process.stdin.on('end',()=>process.exit(0));process.stdin.resume();",
      path.join(dataDir, 'relay.sqlite'),
    ],
    { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] },
  );
  await new Promise((r) => createInterface({ input: holder.stdout! }).once('line', r));
  // Sends keep arriving and wait for the lock (then 503) while health is measured.
  let sending = true;
  const statuses: number[] = [];
  const sender = (async () => {
    for (let i = 0; sending; i += 1) {
      const r = await call(url, 'PUT', `/v1/messages/${bob.accountId}`, {
        token: alice.token,
        body: { clientMessageId: `lock-${i}`, messages: [envelopeFor(bob, `m${i}`)] },
      });
      statuses.push(r.status);
    }
  })();
  const locked: number[] = [];
  for (let i = 0; i < 40; i += 1) {
    locked.push(await health());
    await sleep(50);
  }
  sending = false;
  await sender;
  holder.stdin!.end();
  await new Promise((r) => holder.once('exit', r));

  const report = {
    socketsHeldFromOneAddressOf1000: held,
    preauthAttempts: 5000,
    preauthHeldDuringFlood: floodHeld,
    rssIdleMiB: Number(idleRss.toFixed(1)),
    rssPeakDuringFloodMiB: Number(Math.max(peakRss, floodRss).toFixed(1)),
    rssRatioFloodToIdle: Number((Math.max(peakRss, floodRss) / idleRss).toFixed(2)),
    healthMedianMsNoLock: Number(median(free).toFixed(2)),
    healthMedianMsUnderLock: Number(median(locked).toFixed(2)),
    healthMaxMsUnderLock: Number(Math.max(...locked).toFixed(2)),
    sendsDuringLock: statuses.join(','),
    healthRatioLockedToFree: Number((median(locked) / median(free)).toFixed(2)),
  };
  console.log(JSON.stringify(report, null, 2));
  figure({
    name: 'relay RSS peak during pre-auth flood',
    value: report.rssPeakDuringFloodMiB,
    unit: 'MiB',
    baseline: report.rssIdleMiB,
  });
  figure({
    name: 'relay /health median under a held write lock',
    value: median(locked),
    unit: 'ms',
    baseline: median(free),
  });
  figure({
    name: 'relay /health max under a held write lock',
    value: report.healthMaxMsUnderLock,
    unit: 'ms',
  });
  figure({ name: 'sockets held from one address (of 1000)', value: held, unit: 'sockets' });
} finally {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  rmSync(dataDir, { recursive: true, force: true });
}
