// `npm run bench relay`: 200 simulated devices exchange envelopes through a real relay (its own
// process, SQLite with synchronous=FULL, loopback HTTP + WebSocket), measuring envelopes/s and
// the send-to-delivery latency. Baseline in the same run: a bare `ws` echo server in its own
// process with the same 200 clients, so the ratio says what the relay's HTTP parsing, validation,
// durable commit and queue cost over raw WebSocket messaging on this machine.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WebSocket } from 'ws';
import type { ServerFrame } from '../shared/protocol/index.js';
import { b64, enrolBody } from './enrol-body.js';
import { figure } from './figures.js';
import { keepAliveClient } from './keep-alive-client.js';
import { openSocket } from './open-socket.js';
import { percentile } from './percentile.js';
import { startEchoProcess, startRelayProcess, stopChild } from './relay-process.js';

const devices = 200;
const envelopesPerDevice = 50;
const envelopeBytes = 512;
const deadlineMs = 50_000;
const limits = {
  requestsPerSecond: 1e6,
  requestBurst: 1e6,
  anonymousBurst: 1e6,
  anonymousPerSecond: 1e6,
  // The 200 simulated devices all come from 127.0.0.1 and enrol at once: on a loaded
  // machine more than the default 128 may be unauthenticated at one moment.
  maxPreAuthPerAddress: 1e6,
  maxPreAuthTotal: 1e6,
};

function summary(latencies: number[], elapsedMs: number) {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    count: sorted.length,
    perSecond: Math.round(sorted.length / (elapsedMs / 1000)),
    p50: Number(percentile(sorted, 50).toFixed(2)),
    p99: Number(percentile(sorted, 99).toFixed(2)),
  };
}

const { call, destroy: closeClient } = keepAliveClient(512);

interface Device {
  accountId: string;
  registrationId: number;
  token: string;
  socket: WebSocket;
}

async function benchRelay() {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'pmsg-relay-bench-'));
  // Enrolment codes come from the admin API on the same data directory, as the CLI does it.
  const { SqliteRelayStorage } = await import('../server/storage/sqlite-relay-storage.js');
  const { issueEnrolmentCode } = await import('../server/admin.js');
  const { child, url } = await startRelayProcess(dataDir, limits);
  try {
    const admin = new SqliteRelayStorage(dataDir);
    const codes: string[] = [];
    for (let i = 0; i < devices; i += 1) {
      codes.push(
        (await issueEnrolmentCode(admin, { displayName: `Staff ${i}`, role: 'clinician' })).code,
      );
    }
    await admin.close();

    const sentAt = new Map<string, number>();
    const latencies: number[] = [];
    let delivered = 0;
    const total = devices * envelopesPerDevice;
    let allDelivered!: () => void;
    const done = new Promise<void>((resolve) => (allDelivered = resolve));

    const enrolled: Device[] = await Promise.all(
      codes.map(async (code) => {
        const body = enrolBody(code);
        const response = await fetch(`${url}/v1/enrol`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        const json = (await response.json()) as { accountId: string; token: string };
        const socket = new WebSocket(`${url.replace('http', 'ws')}/v1/websocket`, {
          headers: { authorization: `Bearer ${json.token}` },
        });
        socket.on('message', (data) => {
          const frame = JSON.parse(data.toString()) as ServerFrame;
          if (frame.type !== 'envelope') return;
          const started = sentAt.get(
            `${frame.envelope.senderAccountId}/${frame.envelope.clientMessageId}`,
          );
          if (started !== undefined) latencies.push(performance.now() - started);
          socket.send(JSON.stringify({ type: 'ack', ids: [frame.envelope.id] }));
          delivered += 1;
          if (delivered === total) allDelivered();
        });
        await new Promise((resolve) => socket.once('open', resolve));
        return {
          accountId: json.accountId,
          registrationId: body.registrationId,
          token: json.token,
          socket,
        };
      }),
    );

    // Warm-up: every device opens its keep-alive connection before the clock starts.
    await Promise.all(enrolled.map((d) => call('GET', `${url}/v1/me`, d.token)));
    const content = b64(new Uint8Array(envelopeBytes).map((_, i) => (i * 31) & 0xff));
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    let refused = 0;
    await Promise.all(
      enrolled.map(async (sender, index) => {
        for (let n = 0; n < envelopesPerDevice; n += 1) {
          const recipient = enrolled[(index + 1 + ((n * 7) % (devices - 1))) % devices]!;
          const clientMessageId = `m${index}-${n}`;
          sentAt.set(`${sender.accountId}/${clientMessageId}`, performance.now());
          const status = await call(
            'PUT',
            `${url}/v1/messages/${recipient.accountId}`,
            sender.token,
            JSON.stringify({
              clientMessageId,
              messages: [
                { deviceId: 1, registrationId: recipient.registrationId, type: 2, content },
              ],
            }),
          );
          if (status !== 200) refused += 1;
        }
      }),
    );
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([done, new Promise((resolve) => (timer = setTimeout(resolve, deadlineMs)))]);
    clearTimeout(timer);
    const elapsed = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    console.error(
      `bench clients cpu during sends: ${Math.round((cpu.user + cpu.system) / 1000)} ms of ${Math.round(elapsed)} ms`,
    );
    for (const device of enrolled) device.socket.close();
    if (refused > 0 || delivered < total) {
      console.log(
        `relay: ${refused} sends refused, ${delivered}/${total} delivered before the deadline`,
      );
    }
    closeClient();
    return summary(latencies, elapsed);
  } finally {
    await stopChild(child);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function benchEcho() {
  const { child, url } = await startEchoProcess();
  try {
    const sockets = await Promise.all(Array.from({ length: devices }, () => openSocket(url)));
    const payload = JSON.stringify({
      type: 'envelope',
      content: b64(new Uint8Array(envelopeBytes)),
    });
    const latencies: number[] = [];
    const started = performance.now();
    await Promise.all(
      sockets.map(async (socket) => {
        for (let n = 0; n < envelopesPerDevice; n += 1) {
          const sent = performance.now();
          await new Promise<void>((resolve) => {
            socket.once('message', () => resolve());
            socket.send(payload);
          });
          latencies.push(performance.now() - sent);
        }
      }),
    );
    const elapsed = performance.now() - started;
    for (const socket of sockets) socket.close();
    return summary(latencies, elapsed);
  } finally {
    await stopChild(child);
  }
}

async function runBenchmark() {
  const echo = await benchEcho();
  const relay = await benchRelay();
  console.log(
    `devices: ${devices}, envelopes: ${devices * envelopesPerDevice} of ${envelopeBytes} bytes`,
  );
  console.log(
    `ws echo baseline : ${echo.perSecond} msg/s, round trip p50 ${echo.p50} ms, p99 ${echo.p99} ms`,
  );
  console.log(
    `relay            : ${relay.perSecond} envelopes/s, send->delivered p50 ${relay.p50} ms, p99 ${relay.p99} ms (${relay.count} delivered)`,
  );
  console.log(
    `ratio relay/echo : throughput ${(relay.perSecond / echo.perSecond).toFixed(3)}, p50 latency ${(relay.p50 / echo.p50).toFixed(1)}x, p99 latency ${(relay.p99 / echo.p99).toFixed(1)}x`,
  );
  figure({
    name: `relay throughput vs bare ws echo, ${devices} devices`,
    value: relay.perSecond,
    unit: 'envelopes/s',
    baseline: echo.perSecond,
  });
  figure({
    name: `relay send->delivered p50 vs ws echo round trip, ${devices} devices`,
    value: relay.p50,
    unit: 'ms',
    baseline: echo.p50,
  });
  figure({
    name: `relay send->delivered p99 vs ws echo round trip, ${devices} devices`,
    value: relay.p99,
    unit: 'ms',
    baseline: echo.p99,
  });
  console.log(JSON.stringify({ bench: 'relay', devices, echo, relay }));
}

await runBenchmark();
