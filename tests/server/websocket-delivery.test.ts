import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { closeCodes, serverFrameSchema } from '../../shared/protocol/index.js';
import { call, enrolNew, envelopeFor, FrameLog, type EnrolledDevice } from './relay-client.js';
import { startTestRelay, type TestRelay } from './test-relay.js';

let t: TestRelay;
let url: string;
let alice: EnrolledDevice;

beforeAll(async () => {
  t = await startTestRelay({ requestBurst: 1000 });
  url = t.relay.url;
  alice = await enrolNew(t.relay, 'Alice');
});
afterAll(async () => {
  await t.stop();
});

async function send(to: EnrolledDevice, id: string, text: string) {
  const r = await call(url, 'PUT', `/v1/messages/${to.accountId}`, {
    token: alice.token,
    body: { clientMessageId: id, clientTimestamp: 42, messages: [envelopeFor(to, text)] },
  });
  expect(r.status).toBe(200);
}

const texts = (log: FrameLog) =>
  log.envelopes().map((e) => Buffer.from(e.content, 'base64').toString());

describe('GET /v1/websocket', () => {
  it('drains the queue in order, says queue_empty, pushes live, and deletes only on ack', async () => {
    const bob = await enrolNew(t.relay, 'Bob');
    for (let i = 0; i < 5; i += 1) await send(bob, `q${i}`, `queued ${i}`);

    const log = await FrameLog.open(url, bob.token);
    await log.until((l) => l.has('queue_empty'));
    for (const frame of log.frames) serverFrameSchema.parse(frame);
    expect(log.frames[0]).toEqual({ type: 'ready', accountId: bob.accountId, deviceId: 1 });
    expect(texts(log)).toEqual([0, 1, 2, 3, 4].map((i) => `queued ${i}`));
    const first = log.envelopes()[0]!;
    expect(first).toMatchObject({
      senderAccountId: alice.accountId,
      senderDeviceId: 1,
      clientMessageId: 'q0',
      type: 3,
      clientTimestamp: 42,
    });
    expect(log.frames.findIndex((f) => f.type === 'queue_empty')).toBe(6);

    await send(bob, 'live', 'live one');
    await log.until((l) => l.envelopes().length === 6);
    expect(texts(log)[5]).toBe('live one');

    // Ack the first three only; the other three come again on the next connection.
    log.ack(
      log
        .envelopes()
        .slice(0, 3)
        .map((e) => e.id),
    );
    log.send({ type: 'ping' });
    await log.until((l) => l.has('pong'));
    log.close();
    await log.until((l) => l.closeCode !== null);

    const again = await FrameLog.open(url, bob.token);
    await again.until((l) => l.has('queue_empty'));
    expect(texts(again)).toEqual(['queued 3', 'queued 4', 'live one']);
    again.ack(again.envelopes().map((e) => e.id));
    again.send({ type: 'ping' });
    await again.until((l) => l.has('pong'));
    again.close();

    const empty = await FrameLog.open(url, bob.token);
    await empty.until((l) => l.has('queue_empty'));
    expect(empty.envelopes()).toEqual([]);
    empty.close();
  });

  it('keeps at most 100 envelopes in flight and sends more as acks arrive', async () => {
    const hal = await enrolNew(t.relay, 'Hal');
    const sent = await Promise.all(
      Array.from({ length: 150 }, (_, i) =>
        call(url, 'PUT', `/v1/messages/${hal.accountId}`, {
          token: alice.token,
          body: { clientMessageId: `w${i}`, messages: [envelopeFor(hal, `w${i}`)] },
        }),
      ),
    );
    expect(sent.every((r) => r.status === 200)).toBe(true);
    const log = await FrameLog.open(url, hal.token);
    await log.until((l) => l.envelopes().length === 100);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(log.envelopes().length).toBe(100);
    expect(log.has('queue_empty')).toBe(false);
    log.ack(
      log
        .envelopes()
        .slice(0, 60)
        .map((e) => e.id),
    );
    await log.until((l) => l.has('queue_empty'));
    const ids = log.envelopes().map((e) => Number(e.id));
    expect(ids.length).toBe(150);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect(log.frames.at(-1)).toEqual({ type: 'queue_empty' });
    log.close();
  });

  it('pushes concurrent live sends straight from the commit in queue order, within the window', async () => {
    const ivy = await enrolNew(t.relay, 'Ivy');
    const log = await FrameLog.open(url, ivy.token);
    await log.until((l) => l.has('queue_empty'));
    const sent = await Promise.all(
      Array.from({ length: 150 }, (_, i) =>
        call(url, 'PUT', `/v1/messages/${ivy.accountId}`, {
          token: alice.token,
          body: { clientMessageId: `c${i}`, messages: [envelopeFor(ivy, `c${i}`)] },
        }),
      ),
    );
    expect(sent.every((r) => r.status === 200)).toBe(true);
    await log.until((l) => l.envelopes().length === 100);
    await new Promise((resolve) => setTimeout(resolve, 200));
    // The window holds: the 50 past it wait in the queue for acks.
    expect(log.envelopes().length).toBe(100);
    log.ack(log.envelopes().map((e) => e.id));
    await log.until((l) => l.envelopes().length === 150);
    const ids = log.envelopes().map((e) => Number(e.id));
    expect(new Set(ids).size).toBe(150);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect(new Set(texts(log))).toEqual(new Set(Array.from({ length: 150 }, (_, i) => `c${i}`)));
    log.close();
  });

  it('accepts the token in a first auth frame instead of the header', async () => {
    const carol = await enrolNew(t.relay, 'Carol');
    await send(carol, 'c1', 'for carol');
    const log = await FrameLog.open(url);
    log.send({ type: 'auth', token: carol.token });
    await log.until((l) => l.has('queue_empty'));
    expect(texts(log)).toEqual(['for carol']);
    log.close();

    const wrong = await FrameLog.open(url);
    wrong.send({ type: 'auth', token: 'not-a-token' });
    await wrong.until((l) => l.closeCode !== null);
    expect(wrong.closeCode).toBe(closeCodes.unauthorized);
  });

  it('refuses the upgrade with a JSON 401 for a bad header token', async () => {
    const socket = new WebSocket(`${url.replace('http', 'ws')}/v1/websocket`, {
      headers: { authorization: 'Bearer nope' },
    });
    const status = await new Promise<number>((resolve) => {
      socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      socket.on('error', () => undefined);
    });
    expect(status).toBe(401);
  });

  it('answers malformed frames with an error frame and keeps the connection', async () => {
    const dan = await enrolNew(t.relay, 'Dan');
    const log = await FrameLog.open(url, dan.token);
    await log.until((l) => l.has('queue_empty'));
    log.socket.send('{not json');
    log.send({ type: 'ack', ids: ['x'] });
    log.send({ type: 'launch' });
    await log.until((l) => l.frames.filter((f) => f.type === 'error').length === 3);
    log.send({ type: 'ping' });
    await log.until((l) => l.has('pong'));
    expect(log.closeCode).toBeNull();
    log.close();
  });

  it('replaces an older connection of the same device', async () => {
    const erin = await enrolNew(t.relay, 'Erin');
    const first = await FrameLog.open(url, erin.token);
    await first.until((l) => l.has('ready'));
    const second = await FrameLog.open(url, erin.token);
    await first.until((l) => l.closeCode !== null);
    expect(first.closeCode).toBe(closeCodes.replaced);
    await send(erin, 'e1', 'to the newest');
    await second.until((l) => l.envelopes().length === 1);
    second.close();
  });
});

describe('revocation and remote wipe', () => {
  it('closes the socket at once and stops the token (revoke without wipe)', async () => {
    const fred = await enrolNew(t.relay, 'Fred');
    const log = await FrameLog.open(url, fred.token);
    await log.until((l) => l.has('ready'));
    await t.relay.revoke(fred.accountId, { wipe: false });
    await log.until((l) => l.closeCode !== null, 2000);
    expect(log.closeCode).toBe(closeCodes.revoked);
    const r = await call(url, 'GET', '/v1/me', { token: fred.token });
    expect(r.status).toBe(401);
    expect(r.json.error.code).toBe('device_revoked');
    // A revoked account disappears from the directory and cannot be sent to.
    const dir = await call(url, 'GET', '/v1/directory', { token: alice.token });
    expect(dir.json.accounts.map((a: { accountId: string }) => a.accountId)).not.toContain(
      fred.accountId,
    );
    const sendTo = await call(url, 'PUT', `/v1/messages/${fred.accountId}`, {
      token: alice.token,
      body: { clientMessageId: 'f1', messages: [envelopeFor(fred, 'x')] },
    });
    expect(sendTo.status).toBe(404);
  });

  it('sends a wipe frame and 4003, then answers every call with 403 remote_wipe', async () => {
    const gina = await enrolNew(t.relay, 'Gina');
    const log = await FrameLog.open(url, gina.token);
    await log.until((l) => l.has('ready'));
    await t.relay.revoke(gina.accountId);
    await log.until((l) => l.closeCode !== null, 2000);
    expect(log.has('wipe')).toBe(true);
    expect(log.closeCode).toBe(closeCodes.wipe);
    for (const path of ['/v1/me', '/v1/directory']) {
      const r = await call(url, 'GET', path, { token: gina.token });
      expect(r.status).toBe(403);
      expect(r.json.error.code).toBe('remote_wipe');
    }
    const viaFrame = await FrameLog.open(url);
    viaFrame.send({ type: 'auth', token: gina.token });
    await viaFrame.until((l) => l.closeCode !== null);
    expect(viaFrame.has('wipe')).toBe(true);
    expect(viaFrame.closeCode).toBe(closeCodes.wipe);
    const listed = (await t.relay.storage.listAllAccounts()).find(
      (a) => a.accountId === gina.accountId,
    );
    expect(listed?.devices[0]?.wipeDeliveredAt).toEqual(expect.any(Number));
  });
});
