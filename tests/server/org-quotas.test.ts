import { afterAll, beforeAll, expect, it } from 'vitest';
import { sha256 } from '../../server/secrets.js';
import { call, enrolNew, enrolWithCode, envelopeFor, type EnrolledDevice } from './relay-client.js';
import { describeBackends } from './relay-backends.js';
import { relayCli } from './relay-node.js';
import { startTestRelay, type TestRelay } from './test-relay.js';

// Per-organisation quotas on a relay hosting several practices (docs/protocol.md §1.4): set with
// `pmsg relay org set-quota`, kept and checked in the database, refused with 507
// org_quota_exceeded; another organisation is untouched.

describeBackends('per-organisation quotas', (backend) => {
  let t: TestRelay;
  let sender: EnrolledDevice;
  let receiver: EnrolledDevice;
  let other: EnrolledDevice;
  let otherPeer: EnrolledDevice;
  const quota = (...args: string[]) =>
    relayCli(['org', 'set-quota', ...t.storeArgs, '--org', 'Riverside', ...args]);
  const show = async (org = 'Riverside') => {
    const r = await relayCli(['org', 'show', ...t.storeArgs, '--org', org]);
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as {
      org: string;
      quota: Record<string, number | null>;
      usage: Record<string, number>;
    };
  };
  const send = (from: EnrolledDevice, to: EnrolledDevice, id: string, text = 'x'.repeat(100)) =>
    call(t.relay.url, 'PUT', `/v1/messages/${to.accountId}`, {
      token: from.token,
      body: { clientMessageId: id, messages: [envelopeFor(to, text)] },
    });

  beforeAll(async () => {
    t = await startTestRelay({}, backend);
    sender = await enrolNew(t.relay, 'Dr Sender', 'Riverside');
    receiver = await enrolNew(t.relay, 'Dr Receiver', 'Riverside');
    other = await enrolNew(t.relay, 'Dr Other', 'Hillside');
    otherPeer = await enrolNew(t.relay, 'Dr Other Peer', 'Hillside');
  });
  afterAll(async () => {
    await t.stop();
  });

  it('org show prints no quotas and the usage; bad usage exits 2', async () => {
    expect(await show()).toEqual({
      org: 'Riverside',
      quota: {
        maxDevices: null,
        maxQueuedEnvelopes: null,
        maxQueuedBytes: null,
        maxBlobBytes: null,
      },
      usage: { devices: 2, queuedEnvelopes: 0, queuedBytes: 0, blobBytes: 0 },
    });
    for (const args of [
      ['org', 'set-quota', ...t.storeArgs, '--org', 'Riverside'],
      ['org', 'set-quota', ...t.storeArgs, '--org', 'Riverside', '--max-devices', '-1'],
      ['org', 'set-quota', ...t.storeArgs, '--org', 'Riverside', '--max-devices', 'lots'],
      ['org', 'set-quota', ...t.storeArgs, '--max-devices', '3'],
      ['org', 'show', ...t.storeArgs, '--org', 'Riverside', '--max-devices', '3'],
      ['org', 'raise', ...t.storeArgs, '--org', 'Riverside'],
    ]) {
      const r = await relayCli(args);
      expect(r.status, args.join(' ')).toBe(2);
    }
  });

  it('queued envelopes: refused past the quota with 507 and the quota named; free again once acked', async () => {
    const set = await quota('--max-queued-envelopes', '3');
    expect(set.status, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout).quota.maxQueuedEnvelopes).toBe(3);
    for (let i = 0; i < 3; i += 1)
      expect((await send(sender, receiver, `q-${i}`)).status).toBe(200);
    const refused = await send(sender, receiver, 'q-3');
    expect(refused.status).toBe(507);
    expect(refused.json.error.code).toBe('org_quota_exceeded');
    expect(refused.json.error.details).toEqual({ quota: 'queued_envelopes', limit: 3 });
    expect(refused.json.error.message).toMatch(/quota of 3 undelivered envelopes/);
    expect(refused.headers.get('retry-after')).toBe('60');
    // The same send again (the outbox's retry) is a duplicate, not a fourth envelope.
    expect((await send(sender, receiver, 'q-2')).status).toBe(200);
    // Another organisation has no quota and is not counted.
    expect((await send(other, otherPeer, 'h-0')).status).toBe(200);
    expect((await show()).usage.queuedEnvelopes).toBe(3);
    // The receiver collects and acks: room again.
    const device = (await t.relay.storage.findDeviceByTokenHash(sha256(receiver.token)))!;
    const queued = await t.relay.storage.fetchQueue(device.devicePk, 0, 10);
    expect(queued).toHaveLength(3);
    await t.relay.storage.ack(
      device.devicePk,
      queued.map((e) => e.id),
    );
    expect((await send(sender, receiver, 'q-3')).status).toBe(200);
    expect((await quota('--max-queued-envelopes', 'none')).status).toBe(0);
  });

  it('queued bytes: counted in ciphertext bytes, across senders', async () => {
    expect((await quota('--max-queued-bytes', '250')).status).toBe(0);
    const used = (await show()).usage.queuedBytes;
    expect(used).toBe(100);
    expect((await send(sender, receiver, 'b-0')).status).toBe(200);
    const refused = await send(receiver, sender, 'b-1');
    expect(refused.status).toBe(507);
    expect(refused.json.error.details).toEqual({ quota: 'queued_bytes', limit: 250 });
    expect((await quota('--max-queued-bytes', 'none')).status).toBe(0);
  });

  it('the multi-recipient send is refused as a whole', async () => {
    expect((await quota('--max-queued-envelopes', '2')).status).toBe(0);
    const r = await call(t.relay.url, 'PUT', '/v1/messages/multi-recipient', {
      token: sender.token,
      body: {
        clientMessageId: 'multi-0',
        type: 7,
        content: Buffer.from('group ciphertext').toString('base64'),
        recipients: [
          {
            accountId: receiver.accountId,
            devices: [{ deviceId: receiver.deviceId, registrationId: receiver.registrationId }],
          },
        ],
      },
    });
    expect(r.status).toBe(507);
    expect(r.json.error.code).toBe('org_quota_exceeded');
    expect((await show()).usage.queuedEnvelopes).toBe(2);
    expect((await quota('--max-queued-envelopes', 'none')).status).toBe(0);
  });

  it('devices: an enrolment past the quota is refused and makes no device', async () => {
    expect((await quota('--max-devices', '3')).status).toBe(0);
    await enrolNew(t.relay, 'Nurse Third', 'Riverside');
    const issued = await t.relay.enrol({
      displayName: 'Nurse Fourth',
      role: 'clinician',
      org: 'Riverside',
    });
    await expect(enrolWithCode(t.relay.url, issued.code)).rejects.toThrow(/org_quota_exceeded/);
    expect((await show()).usage.devices).toBe(3);
    // Another practice on the same relay enrols as before.
    await enrolNew(t.relay, 'Dr Hillside Third', 'Hillside');
    expect((await quota('--max-devices', '4')).status).toBe(0);
    await enrolWithCode(t.relay.url, issued.code);
    expect((await show()).usage.devices).toBe(4);
  });

  it('attachment bytes: a blob past the quota is refused; the rest of the quota stays usable', async () => {
    expect((await quota('--max-blob-bytes', '1500000')).status).toBe(0);
    const create = (size: number) =>
      call(t.relay.url, 'POST', '/v1/attachments', {
        token: sender.token,
        body: {
          size,
          chunkCount: Math.ceil(size / (512 * 1024)),
          recipients: [receiver.accountId],
        },
      });
    const first = await create(1_000_000);
    expect(first.status, JSON.stringify(first.json)).toBe(201);
    expect((await show()).usage.blobBytes).toBe(1_000_000);
    const refused = await create(600_000);
    expect(refused.status).toBe(507);
    expect(refused.json.error.details).toEqual({ quota: 'blob_bytes', limit: 1_500_000 });
    expect((await create(400_000)).status).toBe(201);
    expect((await show()).usage.blobBytes).toBe(1_400_000);
  });
});
