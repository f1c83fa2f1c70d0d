import type { Socket } from 'node:net';
import { afterAll, expect, it } from 'vitest';
import { describeBackends } from '../relay-backends.js';
import { defaultLimits } from '../../../server/relay-services.js';
import { call, FrameLog } from '../relay-client.js';
import {
  enrolPair,
  expectRelayServes,
  rawSocket,
  startHostileRelay,
  upgradeRequest,
  waitFor,
  type HostileRelay,
} from './hostile-relay.js';
import { textFrame } from './ws-frames.js';

// Connections that never authenticate, against relay processes. Attackers connect from other
// loopback addresses (127.0.0.x) than the legitimate clients (127.0.0.1).

const relays: HostileRelay[] = [];
afterAll(async () => {
  await Promise.all(relays.map((r) => r.stop()));
});
async function start(config: Parameters<typeof startHostileRelay>[0]) {
  const relay = await startHostileRelay(config);
  relays.push(relay);
  return relay;
}

interface Flood {
  sockets: { socket: Socket; received: () => string; closed: boolean }[];
  held(): number;
  refused(): number;
  destroy(): void;
}

async function flood(port: number, addresses: string[], perAddress: number): Promise<Flood> {
  const sockets = await Promise.all(
    addresses.flatMap((address) =>
      Array.from({ length: perAddress }, async () => {
        const conn = await rawSocket(port, address);
        const entry = { socket: conn.socket, received: conn.received, closed: false };
        void conn.closed.then(() => (entry.closed = true));
        return entry;
      }),
    ),
  );
  const refused = () => sockets.filter((s) => s.closed).length;
  return {
    sockets,
    refused,
    held: () => sockets.length - refused(),
    destroy: () => sockets.forEach((s) => s.socket.destroy()),
  };
}

describeBackends('connections before authentication', (backend) => {
  // This backend's relay from the first test: later tests use its other addresses' buckets.
  let first: HostileRelay | undefined;
  it('1,000 silent sockets from one address: the cap holds 128, refuses the rest with 429 and Retry-After, and others are served', async () => {
    const relay = await start({ backend, codes: 2 });
    first = relay;
    const [alice, bob] = await enrolPair(relay);
    const silent = await flood(relay.port, ['127.0.0.2'], 1000);
    try {
      const expected = 1000 - defaultLimits.maxPreAuthPerAddress;
      await waitFor(() => silent.refused() >= expected, 5000);
      expect(silent.refused()).toBe(expected);
      expect(silent.held()).toBe(defaultLimits.maxPreAuthPerAddress);
      const answer = silent.sockets.find((s) => s.closed)!.received();
      expect(answer).toMatch(/^HTTP\/1\.1 429 /);
      expect(answer).toMatch(/\r\nRetry-After: \d+\r\n/);
      await expectRelayServes(relay, alice, bob, '1,000 silent sockets');
      const refusal = relay.logs.find((l) => l.event === 'preauth_refused');
      expect(refusal).toMatchObject({ address: '127.0.0.2', reason: 'per_address' });
    } finally {
      silent.destroy();
    }
    // Once the silent sockets are gone the address is welcome again.
    const closedAll = await waitFor(() => silent.sockets.every((s) => s.closed), 2000);
    expect(closedAll).toBe(true);
    await waitFor(() => false, 100);
    const again = await rawSocket(relay.port, '127.0.0.2');
    again.socket.write('GET /v1/health HTTP/1.1\r\nHost: relay\r\nConnection: close\r\n\r\n');
    await again.closed;
    expect(again.received()).toMatch(/^HTTP\/1\.1 200 /);
  });

  it('upgrades without a token and failed auth frames spend the per-address anonymous bucket', async () => {
    const relay = first ?? (await start({ backend, codes: 2 }));
    // Default bucket: 10 at once. Header-less upgrades from 127.0.0.3:
    const statuses: string[] = [];
    for (let i = 0; i < 11; i += 1) {
      const conn = await rawSocket(relay.port, '127.0.0.3');
      conn.socket.write(upgradeRequest());
      await waitFor(() => conn.received().includes('\r\n\r\n'), 3000);
      statuses.push(conn.received().slice(9, 12));
      if (i === 10) expect(conn.received()).toMatch(/\r\nretry-after: \d+\r\n/i);
      conn.socket.destroy();
    }
    expect(statuses).toEqual([...Array(10).fill('101'), '429']);
    // From 127.0.0.4, each try costs two: the upgrade and the failed auth frame.
    const tries: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      const conn = await rawSocket(relay.port, '127.0.0.4');
      conn.socket.write(upgradeRequest());
      await waitFor(() => conn.received().includes('\r\n\r\n'), 3000);
      tries.push(conn.received().slice(9, 12));
      if (conn.received().startsWith('HTTP/1.1 101')) {
        conn.socket.write(textFrame(JSON.stringify({ type: 'auth', token: `guess${i}` })));
        await waitFor(() => conn.received().includes('unauthorized'), 3000);
      }
      conn.socket.destroy();
    }
    expect(tries).toEqual(['101', '101', '101', '101', '101', '429']);
    expect(
      relay.logs.some((l) => l.event === 'ws_upgrade_refused' && l.address === '127.0.0.3'),
    ).toBe(true);
  });

  it('the total cap holds across addresses, and authenticated sockets are unaffected', async () => {
    const relay = await start({
      backend,
      codes: 2,
      limits: { maxPreAuthPerAddress: 20, maxPreAuthTotal: 50 },
    });
    const [alice, bob] = await enrolPair(relay);
    const ws = await FrameLog.open(relay.url, bob.token);
    await ws.until((l) => l.has('ready'));
    const many = await flood(relay.port, ['127.0.0.5', '127.0.0.6', '127.0.0.7', '127.0.0.8'], 20);
    try {
      await waitFor(() => many.refused() >= 30, 5000);
      await waitFor(() => false, 200);
      // Enrolment's own keep-alive connections (unauthenticated requests) may still count.
      expect(many.held()).toBeLessThanOrEqual(50);
      expect(many.held()).toBeGreaterThanOrEqual(46);
      expect(many.refused()).toBe(80 - many.held());
      expect(relay.logs.some((l) => l.event === 'preauth_refused' && l.reason === 'total')).toBe(
        true,
      );
      // Bob's authenticated socket is not one of the 50.
      ws.send({ type: 'ping' });
      await ws.until((l) => l.has('pong'));
    } finally {
      many.destroy();
      ws.close();
    }
    await waitFor(() => many.sockets.every((s) => s.closed), 2000);
    await waitFor(() => false, 100);
    await expectRelayServes(relay, alice, bob, 'the total cap');
  });

  it('slow headers and slow bodies are cut off within about 2 s of their timeouts', async () => {
    const relay = await start({
      backend,
      codes: 2,
      limits: { headersTimeoutMs: 1500, requestTimeoutMs: 3000 },
    });
    const [alice, bob] = await enrolPair(relay);
    const started = Date.now();
    const headers = await rawSocket(relay.port, '127.0.0.9');
    headers.socket.write('GET /v1/health HTTP/1.1\r\nHost: relay\r\n');
    const body = await rawSocket(relay.port, '127.0.0.10');
    body.socket.write(
      'PUT /v1/enrol HTTP/1.1\r\nHost: relay\r\nContent-Type: application/json\r\n' +
        'Content-Length: 100000\r\n\r\n{',
    );
    const drip = setInterval(() => {
      if (!headers.socket.destroyed) headers.socket.write('X-Slow: 1\r\n');
      if (!body.socket.destroyed) body.socket.write(' ');
    }, 250);
    try {
      // Others are served meanwhile.
      expect((await call(relay.url, 'GET', '/v1/health')).status).toBe(200);
      const headerEnd = await Promise.race([
        headers.closed.then(() => Date.now() - started),
        new Promise<number>((r) => setTimeout(() => r(Infinity), 6000)),
      ]);
      const bodyEnd = await Promise.race([
        body.closed.then(() => Date.now() - started),
        new Promise<number>((r) => setTimeout(() => r(Infinity), 8000)),
      ]);
      expect(headerEnd).toBeLessThan(1500 + 2500);
      expect(bodyEnd).toBeLessThan(3000 + 2500);
      expect(headers.received()).toMatch(/^HTTP\/1\.1 408 /);
    } finally {
      clearInterval(drip);
      headers.socket.destroy();
      body.socket.destroy();
    }
    await expectRelayServes(relay, alice, bob, 'slowloris');
  });
});
