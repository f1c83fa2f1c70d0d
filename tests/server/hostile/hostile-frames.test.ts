import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBackends } from '../relay-backends.js';
import { enrolWithCode, type EnrolledDevice } from '../relay-client.js';
import {
  accepting,
  enrolPair,
  expectRelayServes,
  rawSocket,
  startHostileRelay,
  upgradeRequest,
  waitFor,
  type HostileRelay,
} from './hostile-relay.js';
import { encodeFrame, hostileBytes, textFrame, type RawFrame } from './ws-frames.js';

// Malformed WebSocket frames before and after authentication, against a relay in its own
// process: a frame that ended the process (no 'error' listener before auth) shows as an exit.

let relay: HostileRelay;
let alice: EnrolledDevice;
let bob: EnrolledDevice;
let fuzzer: EnrolledDevice;

interface Attack {
  /** Upgrade with this token in the Authorization header; otherwise header-less. */
  headerToken?: string;
  /** Send a valid auth frame first, in the same write as the hostile bytes. */
  authFrameToken?: string;
  /** Write everything together with the upgrade request (it arrives as the upgrade's `head`). */
  inUpgradeWrite?: boolean;
  bytes: Buffer;
  /**
   * How long to wait for the relay to close the socket. A crashing relay takes a few hundred ms
   * to exit (it prints the stack), so the named cases wait long enough to see it themselves.
   */
  closeWaitMs?: number;
}

async function attack(a: Attack): Promise<void> {
  const conn = await rawSocket(relay.port);
  const request = upgradeRequest(a.headerToken);
  const auth =
    a.authFrameToken === undefined
      ? Buffer.alloc(0)
      : textFrame(JSON.stringify({ type: 'auth', token: a.authFrameToken }));
  const payload = Buffer.concat([auth, a.bytes]);
  if (a.inUpgradeWrite) {
    conn.socket.write(Buffer.concat([Buffer.from(request), payload]));
  } else {
    conn.socket.write(request);
    const upgraded = await waitFor(() => conn.received().includes('\r\n\r\n'), 3000);
    expect(upgraded, 'no answer to the upgrade').toBe(true);
    expect(conn.received()).toMatch(/^HTTP\/1\.1 101/);
    conn.socket.write(payload);
  }
  let closed = false;
  void conn.closed.then(() => (closed = true));
  await waitFor(() => closed, a.closeWaitMs ?? 400);
  conn.socket.destroy();
  // A crash closes the socket and the listening port at once: probe the port.
  const alive = await accepting(relay);
  expect(alive, `relay died on ${a.bytes.subarray(0, 16).toString('hex')}`).toBe(true);
}

const frame = (over: Partial<RawFrame>): Buffer =>
  encodeFrame({
    fin: true,
    rsv: 0,
    opcode: 1,
    masked: true,
    payload: Buffer.from('{"type":"ping"}'),
    lengthForm: 'minimal',
    ...over,
  });

// The frames the security review used, and their relatives.
const named: [string, Buffer][] = [
  ['a 70 kB frame', frame({ payload: new Uint8Array(70_000) })],
  ['invalid UTF-8 text', frame({ payload: Uint8Array.from([0x7b, 0xc0, 0xaf, 0x7d]) })],
  ['a reserved opcode (3)', frame({ opcode: 3 })],
  ['a reserved control opcode (11)', frame({ opcode: 11, payload: new Uint8Array(0) })],
  ['the RSV1 bit', frame({ rsv: 4 })],
  ['the RSV3 bit', frame({ rsv: 1 })],
  ['a fragmented ping', frame({ opcode: 9, fin: false, payload: new Uint8Array(4) })],
  ['a 126-byte ping', frame({ opcode: 9, payload: new Uint8Array(126) })],
  ['an unmasked frame', frame({ masked: false })],
  ['a continuation with nothing to continue', frame({ opcode: 0 })],
  ['a 64-bit length of 2^53', Buffer.from([0x81, 0xff, 0, 0x20, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4])],
  ['random bytes', Buffer.from('ffeeddccbbaa99887766554433221100', 'hex')],
];

async function expectAlive(): Promise<void> {
  await waitFor(() => relay.exitCode !== undefined, 400);
  expect(await accepting(relay), 'the relay stopped accepting').toBe(true);
  expect(relay.exitCode, 'the relay process exited').toBe(undefined);
}

describeBackends('hostile WebSocket frames', (backend) => {
  beforeAll(async () => {
    // Header-less upgrades spend the anonymous bucket; the fuzzing makes hundreds of them.
    relay = await startHostileRelay({
      backend,
      codes: 3,
      limits: { anonymousBurst: 1_000_000, anonymousPerSecond: 1_000_000 },
    });
    [alice, bob] = await enrolPair(relay);
    fuzzer = await enrolWithCode(relay.url, relay.codes[2]!);
  });
  afterAll(async () => {
    await relay?.stop();
  });

  it.each(named)('%s before authentication does not end the relay', async (_label, bytes) => {
    await attack({ bytes });
    await attack({ bytes, inUpgradeWrite: true });
  });

  it.each(named)('an auth frame and %s in one write does not end the relay', async (_l, bytes) => {
    await attack({ bytes, authFrameToken: fuzzer.token });
    await attack({ bytes, authFrameToken: fuzzer.token, inUpgradeWrite: true });
    await attack({ bytes, authFrameToken: 'not-a-token' });
  });

  it.each(named)('%s after header authentication does not end the relay', async (_l, bytes) => {
    await attack({ bytes, headerToken: fuzzer.token });
    await attack({ bytes, headerToken: fuzzer.token, inUpgradeWrite: true });
  });

  it('property: any frames or bytes, before or after authentication, leave the relay serving', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('none', 'header', 'auth-frame', 'bad-auth-frame'),
        fc.boolean(),
        hostileBytes,
        async (auth, inUpgradeWrite, bytes) => {
          await attack({
            bytes,
            inUpgradeWrite,
            closeWaitMs: 40,
            ...(auth === 'header' ? { headerToken: fuzzer.token } : {}),
            ...(auth === 'auth-frame' ? { authFrameToken: fuzzer.token } : {}),
            ...(auth === 'bad-auth-frame' ? { authFrameToken: 'x'.repeat(40) } : {}),
          });
        },
      ),
      { numRuns: 100 },
    );
    await expectAlive();
    await expectRelayServes(relay, alice, bob, 'frame fuzzing');
  });

  it('logs protocol errors by kind and address, never a token', async () => {
    await attack({ bytes: named[0]![1], authFrameToken: fuzzer.token });
    await waitFor(() => relay.logs.some((l) => l.event === 'ws_protocol_error'), 1000);
    const errors = relay.logs.filter((l) => l.event === 'ws_protocol_error');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatchObject({ address: '127.0.0.1' });
    expect(typeof errors[0]!.kind).toBe('string');
    const all = JSON.stringify(relay.logs);
    for (const secret of [fuzzer.token, alice.token, bob.token]) expect(all).not.toContain(secret);
  });
});
