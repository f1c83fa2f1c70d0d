import { afterAll, beforeAll, expect, it } from 'vitest';
import { batchSendResponseSchema, maxBatchSends } from '../../shared/protocol/index.js';
import { describeBackends } from './relay-backends.js';
import { call, enrolNew, envelopeFor, FrameLog, type EnrolledDevice } from './relay-client.js';
import { startTestRelay, type TestRelay } from './test-relay.js';

// docs/protocol.md §5c: PUT /v1/messages/batch, several 1:1 sends in one request, each checked
// and answered on its own.

let t: TestRelay;
let url: string;
let sender: EnrolledDevice;
let bob: EnrolledDevice;
let carol: EnrolledDevice;
let outsider: EnrolledDevice;

const send = (to: EnrolledDevice, clientMessageId: string, text = clientMessageId) => ({
  accountId: to.accountId,
  clientMessageId,
  clientTimestamp: 1764325000000,
  messages: [envelopeFor(to, text, 2)],
});
const batch = (...sends: unknown[]) => ({ token: sender.token, body: { sends } });

describeBackends('PUT /v1/messages/batch', (backend) => {
  beforeAll(async () => {
    t = await startTestRelay({ maxQueuedPerSender: 3, queueReservedPerSender: 0 }, backend);
    url = t.relay.url;
    sender = await enrolNew(t.relay, 'Reception A', 'Batch Practice');
    bob = await enrolNew(t.relay, 'Dr B', 'Batch Practice');
    carol = await enrolNew(t.relay, 'Nurse C', 'Batch Practice');
    outsider = await enrolNew(t.relay, 'Dr Elsewhere', 'Other Practice');
  });
  afterAll(async () => {
    await t.stop();
  });

  it('queues each entry for its recipient, in one answer; a retry is answered as duplicates', async () => {
    const sockets = await Promise.all([bob, carol].map((d) => FrameLog.open(url, d.token)));
    try {
      const sends = [send(bob, 'b-1'), send(carol, 'c-1'), send(bob, 'b-2')];
      const r = await call(url, 'PUT', '/v1/messages/batch', batch(...sends));
      expect(r.status).toBe(200);
      expect(batchSendResponseSchema.parse(r.json).results).toEqual([
        { status: 200, queued: [bob.deviceId], duplicates: [] },
        { status: 200, queued: [carol.deviceId], duplicates: [] },
        { status: 200, queued: [bob.deviceId], duplicates: [] },
      ]);
      const [bobLog, carolLog] = sockets as [FrameLog, FrameLog];
      await bobLog.until((log) => log.envelopes().length === 2);
      await carolLog.until((log) => log.envelopes().length === 1);
      expect(
        bobLog
          .envelopes()
          .map((e) => e.clientMessageId)
          .sort(),
      ).toEqual(['b-1', 'b-2']);
      expect(carolLog.envelopes()[0]).toMatchObject({
        senderAccountId: sender.accountId,
        senderDeviceId: sender.deviceId,
        clientMessageId: 'c-1',
        clientTimestamp: 1764325000000,
        content: Buffer.from('c-1').toString('base64'),
      });
      bobLog.ack(bobLog.envelopes().map((e) => e.id));
      carolLog.ack(carolLog.envelopes().map((e) => e.id));
      // The same sends again (a client that crashed before recording the answer): nothing new.
      const again = await call(url, 'PUT', '/v1/messages/batch', batch(...sends));
      expect(batchSendResponseSchema.parse(again.json).results).toEqual([
        { status: 200, queued: [], duplicates: [bob.deviceId] },
        { status: 200, queued: [], duplicates: [carol.deviceId] },
        { status: 200, queued: [], duplicates: [bob.deviceId] },
      ]);
      // And a one-by-one resend of a batched message is a duplicate too (same sent log).
      const single = await call(url, 'PUT', `/v1/messages/${bob.accountId}`, {
        token: sender.token,
        body: send(bob, 'b-1'),
      });
      expect(single.json).toEqual({ queued: [], duplicates: [bob.deviceId] });
    } finally {
      for (const socket of sockets) socket.close();
    }
  });

  it('answers each refused entry with the error its own request would have had; the others go', async () => {
    const stale = {
      ...send(bob, 'b-stale'),
      messages: [{ ...envelopeFor(bob, 'x', 2), registrationId: (bob.registrationId % 16000) + 1 }],
    };
    const extra = {
      ...send(carol, 'c-extra'),
      messages: [
        envelopeFor(carol, 'x', 2),
        { deviceId: 9, registrationId: 5, type: 2, content: 'eA==' },
      ],
    };
    const r = await call(
      url,
      'PUT',
      '/v1/messages/batch',
      batch(send(outsider, 'o-1'), stale, extra, send(carol, 'c-2')),
    );
    expect(r.status).toBe(200);
    const [notFound, staleResult, mismatched, ok] = batchSendResponseSchema.parse(r.json).results;
    expect(notFound).toMatchObject({ status: 404, error: { code: 'not_found' } });
    expect(staleResult).toMatchObject({
      status: 410,
      error: { code: 'stale_devices', details: { staleDevices: [bob.deviceId] } },
    });
    expect(mismatched).toMatchObject({
      status: 409,
      error: { code: 'mismatched_devices', details: { missingDevices: [], extraDevices: [9] } },
    });
    expect(ok).toEqual({ status: 200, queued: [carol.deviceId], duplicates: [] });
    // Only the accepted entry reached Carol.
    const carolLog = await FrameLog.open(url, carol.token);
    try {
      await carolLog.until((log) => log.has('queue_empty'));
      expect(carolLog.envelopes().map((e) => e.clientMessageId)).toEqual(['c-2']);
      carolLog.ack(carolLog.envelopes().map((e) => e.id));
    } finally {
      carolLog.close();
    }
  });

  it('gives a queue-full entry its Retry-After, while the entries before it were queued', async () => {
    // This relay lets one sender have 3 undelivered envelopes per device (Bob is offline).
    const sends = ['q-1', 'q-2', 'q-3', 'q-4'].map((id) => send(bob, id));
    const r = await call(url, 'PUT', '/v1/messages/batch', batch(...sends));
    const results = batchSendResponseSchema.parse(r.json).results;
    expect(results.filter((x) => x.status === 200)).toHaveLength(3);
    expect(results.filter((x) => x.status === 507)).toEqual([
      expect.objectContaining({
        error: expect.objectContaining({ code: 'queue_full' }),
        retryAfter: 60,
      }),
    ]);
  });

  it('refuses a malformed batch as a whole, before queuing anything', async () => {
    const cases: unknown[] = [
      {},
      { sends: [] },
      { sends: Array.from({ length: maxBatchSends + 1 }, (_, i) => send(carol, `many-${i}`)) },
      { sends: [send(carol, 'dup'), send(carol, 'dup')] },
      { sends: [{ ...send(carol, 'no-account'), accountId: 'not-a-uuid' }] },
      { sends: [send(carol, 'fine'), { ...send(carol, 'bad'), messages: [] }] },
      {
        sends: [
          { ...send(carol, 'bad-b64'), messages: [{ ...envelopeFor(carol, 'x'), content: '!!' }] },
        ],
      },
    ];
    for (const body of cases) {
      const r = await call(url, 'PUT', '/v1/messages/batch', { token: sender.token, body });
      expect(r.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(r.json.error.code).toBe('invalid_input');
    }
    const carolLog = await FrameLog.open(url, carol.token);
    try {
      await carolLog.until((log) => log.has('queue_empty'));
      expect(carolLog.envelopes()).toEqual([]);
    } finally {
      carolLog.close();
    }
    const anonymous = await call(url, 'PUT', '/v1/messages/batch', {
      body: { sends: [send(carol, 'a')] },
    });
    expect(anonymous.status).toBe(401);
  });

  it('charges every entry against the request rate limit: past the budget an entry is 429', async () => {
    const limited = await startTestRelay({ requestBurst: 3, requestsPerSecond: 0.5 }, backend);
    try {
      const from = await enrolNew(limited.relay, 'Reception Z', 'Limited Practice');
      const to = await enrolNew(limited.relay, 'Dr Y', 'Limited Practice');
      const sends = Array.from({ length: 5 }, (_, i) => ({
        accountId: to.accountId,
        clientMessageId: `limited-${i}`,
        clientTimestamp: 1764325000000,
        messages: [envelopeFor(to, `limited-${i}`, 2)],
      }));
      const r = await call(limited.relay.url, 'PUT', '/v1/messages/batch', {
        token: from.token,
        body: { sends },
      });
      expect(r.status).toBe(200);
      const results = batchSendResponseSchema.parse(r.json).results;
      expect(results.map((entry) => entry.status)).toEqual([200, 200, 200, 429, 429]);
      for (const refused of results.slice(3)) {
        expect(refused).toMatchObject({ error: { code: 'rate_limited' } });
        expect((refused as { retryAfter?: number }).retryAfter).toBeGreaterThanOrEqual(1);
      }
      // The bucket is spent: the next request is refused as a whole, as any request would be.
      const next = await call(limited.relay.url, 'PUT', '/v1/messages/batch', {
        token: from.token,
        body: { sends: sends.slice(3) },
      });
      expect(next.status).toBe(429);
    } finally {
      await limited.stop();
    }
  });
});
