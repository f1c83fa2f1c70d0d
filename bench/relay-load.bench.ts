// `npm run bench relay-load`: steady load on a real relay (its own process, SQLite with
// synchronous=FULL, loopback HTTP + WebSocket). 1,000 simulated devices each hold a WebSocket;
// envelopes are sent at 500/s for 60 s, open-loop: each send starts at its scheduled time
// whether or not earlier ones have been answered, and latency runs from that scheduled time to
// the recipient's socket receiving the envelope, so it includes any queueing (in the client,
// the relay or the kernel). Target (issue 18): p99 send->delivered <= 50 ms. Reported: p50, p99,
// max, the achieved send and delivery rates, and the relay's resident memory.
// Baseline in the same run: the same schedule over the same number of sockets to a bare `ws`
// echo server in its own process (round trip sender -> server -> sender).
// PMSG_BENCH_DEVICES / PMSG_BENCH_RATE / PMSG_BENCH_SECONDS change the load;
// PMSG_BENCH_CPU_PROF=<dir> makes the relay write a CPU profile.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { WebSocket } from 'ws';
import type { ServerFrame } from '../shared/protocol/index.js';
import { cleanupOnExit } from './cleanup-on-exit.js';
import { b64, enrolBody } from './enrol-body.js';
import { figure } from './figures.js';
import { keepAliveClient } from './keep-alive-client.js';
import { openSocket } from './open-socket.js';
import { percentile } from './percentile.js';
import { processMemory, startEchoProcess, startRelayProcess, stopChild } from './relay-process.js';

const devices = Number(process.env.PMSG_BENCH_DEVICES ?? 1000);
const rate = Number(process.env.PMSG_BENCH_RATE ?? 500);
const seconds = Number(process.env.PMSG_BENCH_SECONDS ?? 60);
const envelopeBytes = 512;
/** After the last scheduled send, how long stragglers may take before the run ends. */
const drainMs = 15_000;
const targetP99Ms = 50;
/**
 * Over the relay's defaults: only what 1,000 devices on one address need to get connected. All
 * of them enrol from 127.0.0.1 (anonymous requests, 10 at once then 0.2/s per address by
 * default) and open their WebSockets at once (128 not yet authenticated per address by default).
 * The per-device request and frame limits stay at their defaults: each device sends 0.5/s here.
 */
const limits = {
  anonymousBurst: 1e6,
  anonymousPerSecond: 1e6,
  maxPreAuthPerAddress: 1e6,
};

interface LoadResult {
  readonly sent: number;
  readonly delivered: number;
  readonly refused: number;
  /** Sends started per second over the schedule (open loop: how well the clients kept to it). */
  readonly sendRate: number;
  /** Deliveries per second from the first send to the last delivery. */
  readonly deliveredRate: number;
  /** How late the clients started sends against the schedule, p99 (their own lag). */
  readonly sendLagP99: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  /** CPU time of this (client) process during the load, as a share of one core. */
  readonly clientCpu: number;
}

/**
 * Drives the schedule: `send(i)` for envelope i at `start + i / rate`, from a timer that fires
 * whatever is due (timers are coarse under load; late sends are counted from their schedule).
 */
async function openLoop(
  send: (index: number, scheduledAt: number) => void,
  delivered: () => number,
): Promise<Omit<LoadResult, 'p50' | 'p99' | 'max' | 'delivered' | 'refused' | 'sent'>> {
  const total = Math.round(rate * seconds);
  const lags: number[] = [];
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  let next = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (next < total && start + (next * 1000) / rate <= now) {
        const scheduledAt = start + (next * 1000) / rate;
        lags.push(now - scheduledAt);
        send(next, scheduledAt);
        next += 1;
      }
      if (next < total) setTimeout(tick, 1);
      else resolve();
    };
    tick();
  });
  const sendSeconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const deadline = performance.now() + drainMs;
  while (delivered() < total && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  lags.sort((a, b) => a - b);
  return {
    sendRate: total / sendSeconds,
    deliveredRate: 0,
    sendLagP99: percentile(lags, 99),
    clientCpu: (cpu.user + cpu.system) / 1000 / (sendSeconds * 1000),
  };
}

function latencySummary(latencies: number[]) {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? NaN };
}

async function benchRelay(): Promise<LoadResult & { rssMiB: number; peakMiB: number }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'pmsg-relay-load-'));
  const removeDir = cleanupOnExit(() => rmSync(dataDir, { recursive: true, force: true }));
  const { SqliteRelayStorage } = await import('../server/storage/sqlite-relay-storage.js');
  const { issueEnrolmentCode } = await import('../server/admin.js');
  const { child, url } = await startRelayProcess(dataDir, limits);
  const stopRelay = cleanupOnExit(() => stopChild(child));
  const client = keepAliveClient(256);
  const sockets: WebSocket[] = [];
  const closeSockets = cleanupOnExit(() => {
    for (const socket of sockets) socket.terminate();
    client.destroy();
  });
  try {
    // Codes from the admin API on the same data directory, as the CLI issues them.
    const admin = new SqliteRelayStorage(dataDir);
    const codes: string[] = [];
    for (let i = 0; i < devices; i += 1) {
      codes.push(
        (await issueEnrolmentCode(admin, { displayName: `Staff ${i}`, role: 'clinician' })).code,
      );
    }
    await admin.close();

    const scheduled = new Map<string, number>();
    const latencies: number[] = [];
    let lastDelivery = 0;
    const enrolled: { accountId: string; registrationId: number; token: string }[] = [];
    // Enrol and connect in waves, so the setup itself does not swamp the relay.
    for (let from = 0; from < devices; from += 50) {
      const wave = await Promise.all(
        codes.slice(from, from + 50).map(async (code) => {
          const body = enrolBody(code);
          const response = await fetch(`${url}/v1/enrol`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body),
          });
          if (!response.ok) throw new Error(`enrolment refused: ${response.status}`);
          const json = (await response.json()) as { accountId: string; token: string };
          const socket = await openSocket(`${url.replace('http', 'ws')}/v1/websocket`, {
            authorization: `Bearer ${json.token}`,
          });
          sockets.push(socket);
          socket.on('message', (data) => {
            const frame = JSON.parse(data.toString()) as ServerFrame;
            if (frame.type !== 'envelope') return;
            const at = scheduled.get(frame.envelope.clientMessageId);
            if (at !== undefined) {
              lastDelivery = performance.now();
              latencies.push(lastDelivery - at);
              scheduled.delete(frame.envelope.clientMessageId);
            }
            socket.send(JSON.stringify({ type: 'ack', ids: [frame.envelope.id] }));
          });
          return {
            accountId: json.accountId,
            registrationId: body.registrationId,
            token: json.token,
          };
        }),
      );
      enrolled.push(...wave);
    }
    // Warm-up: the keep-alive connections open before the clock starts.
    await Promise.all(
      enrolled.slice(0, 256).map((d) => client.call('GET', `${url}/v1/me`, d.token)),
    );

    const content = b64(new Uint8Array(envelopeBytes).map((_, i) => (i * 31) & 0xff));
    let refused = 0;
    let sent = 0;
    /** Requests that failed without an answer, by error code (a stale keep-alive socket: ECONNRESET). */
    const failures = new Map<string, number>();
    const memory = { rssMiB: 0, peakMiB: 0 };
    const sampler = setInterval(() => {
      const now = processMemory(child.pid!);
      if (now) memory.rssMiB = Math.max(memory.rssMiB, now.rssMiB);
    }, 1000);
    const started = performance.now();
    const loop = await openLoop(
      (index, scheduledAt) => {
        const sender = enrolled[index % devices]!;
        const recipient = enrolled[(index + 1 + ((index * 7) % (devices - 1))) % devices]!;
        const clientMessageId = `l${index}`;
        scheduled.set(clientMessageId, scheduledAt);
        void client
          .call(
            'PUT',
            `${url}/v1/messages/${recipient.accountId}`,
            sender.token,
            JSON.stringify({
              clientMessageId,
              messages: [
                { deviceId: 1, registrationId: recipient.registrationId, type: 2, content },
              ],
            }),
          )
          .then(
            (status) => {
              sent += 1;
              if (status !== 200) refused += 1;
            },
            (error: NodeJS.ErrnoException) => {
              refused += 1;
              failures.set(
                error.code ?? error.message,
                (failures.get(error.code ?? error.message) ?? 0) + 1,
              );
            },
          );
      },
      () => latencies.length,
    );
    clearInterval(sampler);
    if (failures.size > 0)
      console.error('relay: sends failed without an answer:', Object.fromEntries(failures));
    memory.peakMiB = processMemory(child.pid!)?.peakMiB ?? NaN;
    const delivered = latencies.length;
    return {
      ...loop,
      ...latencySummary(latencies),
      ...memory,
      sent,
      delivered,
      refused,
      deliveredRate: delivered / ((lastDelivery - started) / 1000),
    };
  } finally {
    await closeSockets();
    await stopRelay();
    await removeDir();
  }
}

async function benchEcho(): Promise<LoadResult> {
  const { child, url } = await startEchoProcess();
  const stopEcho = cleanupOnExit(() => stopChild(child));
  const sockets: WebSocket[] = [];
  const closeSockets = cleanupOnExit(() => {
    for (const socket of sockets) socket.terminate();
  });
  try {
    const latencies: number[] = [];
    const scheduled = new Map<number, number>();
    let lastDelivery = 0;
    for (let from = 0; from < devices; from += 50) {
      const wave = await Promise.all(
        Array.from({ length: Math.min(50, devices - from) }, () => openSocket(url)),
      );
      for (const socket of wave) {
        socket.on('message', (data) => {
          const { n } = JSON.parse(data.toString()) as { n: number };
          lastDelivery = performance.now();
          latencies.push(lastDelivery - scheduled.get(n)!);
          scheduled.delete(n);
        });
      }
      sockets.push(...wave);
    }
    const content = b64(new Uint8Array(envelopeBytes));
    const started = performance.now();
    const loop = await openLoop(
      (index, scheduledAt) => {
        scheduled.set(index, scheduledAt);
        sockets[index % devices]!.send(JSON.stringify({ type: 'envelope', n: index, content }));
      },
      () => latencies.length,
    );
    return {
      ...loop,
      ...latencySummary(latencies),
      sent: Math.round(rate * seconds),
      delivered: latencies.length,
      refused: 0,
      deliveredRate: latencies.length / ((lastDelivery - started) / 1000),
    };
  } finally {
    await closeSockets();
    await stopEcho();
  }
}

function describe(name: string, r: LoadResult): string {
  return (
    `${name}: sent ${r.sent} at ${r.sendRate.toFixed(0)}/s (client lag p99 ${r.sendLagP99.toFixed(1)} ms, ` +
    `client cpu ${(r.clientCpu * 100).toFixed(0)}% of a core), delivered ${r.delivered} at ` +
    `${r.deliveredRate.toFixed(0)}/s; latency p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, ` +
    `max ${r.max.toFixed(1)} ms${r.refused ? `; ${r.refused} refused` : ''}`
  );
}

const echo = await benchEcho();
const relay = await benchRelay();
console.log(
  `devices: ${devices}, ${rate} envelopes/s of ${envelopeBytes} bytes for ${seconds} s, open loop`,
);
console.log(describe('ws echo baseline', echo));
console.log(describe('relay           ', relay));
console.log(
  `relay resident memory: ${relay.rssMiB.toFixed(0)} MiB under load (max of 1 s samples), peak ${relay.peakMiB.toFixed(0)} MiB`,
);
console.log(
  `p99 send->delivered ${relay.p99.toFixed(1)} ms against the target of ${targetP99Ms} ms: ${relay.p99 <= targetP99Ms ? 'met' : 'MISSED'}`,
);
const label = `${devices} devices, ${rate}/s open loop`;
figure({
  name: `relay steady load p50 send->delivered vs ws echo, ${label}`,
  value: relay.p50,
  unit: 'ms',
  baseline: echo.p50,
});
figure({
  name: `relay steady load p99 send->delivered vs ws echo, ${label}`,
  value: relay.p99,
  unit: 'ms',
  baseline: echo.p99,
});
figure({
  name: `relay steady load max send->delivered vs ws echo, ${label}`,
  value: relay.max,
  unit: 'ms',
  baseline: echo.max,
});
figure({
  name: `relay steady load delivered rate vs ws echo, ${label}`,
  value: relay.deliveredRate,
  unit: 'envelopes/s',
  baseline: echo.deliveredRate,
});
figure({ name: `relay steady load resident memory, ${label}`, value: relay.rssMiB, unit: 'MiB' });
if (relay.delivered < relay.sent || relay.refused > 0) {
  console.error(`relay: ${relay.refused} refused, ${relay.delivered}/${relay.sent} delivered`);
  process.exitCode = 1;
}
