import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeBackends } from './relay-backends.js';
import {
  multiMismatchedDevicesSchema,
  multiNotFoundSchema,
  multiSendResponseSchema,
  multiStaleDevicesSchema,
} from '../../shared/protocol/index.js';
import { call, enrolNew, enrolWithCode, FrameLog, type EnrolledDevice } from './relay-client.js';
import { startTestRelay, type TestRelay } from './test-relay.js';

// docs/protocol.md §5b: PUT /v1/messages/multi-recipient, one ciphertext for the devices of many accounts.

let t: TestRelay;
let url: string;
let sender: EnrolledDevice;
let senderSecond: EnrolledDevice;
let members: EnrolledDevice[];

const content = Buffer.from('one sender-key ciphertext').toString('base64');
const devicesOf = (...devices: EnrolledDevice[]) =>
  devices.map((d) => ({ deviceId: d.deviceId, registrationId: d.registrationId }));

describeBackends('PUT /v1/messages/multi-recipient', (backend) => {
  beforeAll(async () => {
    t = await startTestRelay({}, backend);
    url = t.relay.url;
    sender = await enrolNew(t.relay, 'Reception A', 'Group Practice', 'reception');
    senderSecond = await enrolWithCode(
      url,
      (await t.relay.enrol({ accountId: sender.accountId })).code,
    );
    members = [];
    for (const name of ['Dr B', 'Nurse C', 'Dr D']) {
      members.push(await enrolNew(t.relay, name, 'Group Practice', 'clinician'));
    }
  });
  afterAll(async () => {
    await t.stop();
  });

  const request = (clientMessageId: string, recipients: unknown) => ({
    token: sender.token,
    body: { clientMessageId, clientTimestamp: 1764325000000, type: 7, content, recipients },
  });
  const everyone = () => [
    ...members.map((m) => ({ accountId: m.accountId, devices: devicesOf(m) })),
    { accountId: sender.accountId, devices: devicesOf(senderSecond) },
  ];

  it('queues one copy per named device, own other devices included, and each receives it', async () => {
    const sockets = await Promise.all(
      [...members, senderSecond].map((m) => FrameLog.open(url, m.token)),
    );
    try {
      const r = await call(
        url,
        'PUT',
        '/v1/messages/multi-recipient',
        request('group-1', everyone()),
      );
      expect(r.status).toBe(200);
      const body = multiSendResponseSchema.parse(r.json);
      expect(body.duplicates).toEqual([]);
      expect(body.queued.map((q) => q.accountId).sort()).toEqual(
        [...members.map((m) => m.accountId), sender.accountId].sort(),
      );
      for (const socket of sockets) {
        await socket.until((log) => log.envelopes().length === 1);
        expect(socket.envelopes()[0]).toMatchObject({
          senderAccountId: sender.accountId,
          senderDeviceId: sender.deviceId,
          clientMessageId: 'group-1',
          type: 7,
          content,
        });
        socket.ack(socket.envelopes().map((e) => e.id));
      }
      // A retry of the same clientMessageId queues nothing again.
      const again = await call(
        url,
        'PUT',
        '/v1/messages/multi-recipient',
        request('group-1', everyone()),
      );
      const retried = multiSendResponseSchema.parse(again.json);
      expect(retried.queued).toEqual([]);
      expect(retried.duplicates).toHaveLength(members.length + 1);
    } finally {
      for (const socket of sockets) socket.close();
    }
  });

  it('answers 409 per account for a stale device list, and queues nothing', async () => {
    const added = await enrolWithCode(
      url,
      (await t.relay.enrol({ accountId: members[0]!.accountId })).code,
    );
    const recipients = everyone();
    const r = await call(
      url,
      'PUT',
      '/v1/messages/multi-recipient',
      request('group-2', recipients),
    );
    expect(r.status).toBe(409);
    expect(r.json.error.code).toBe('mismatched_devices');
    expect(multiMismatchedDevicesSchema.parse(r.json.error.details)).toEqual({
      accounts: [
        { accountId: members[0]!.accountId, missingDevices: [added.deviceId], extraDevices: [] },
      ],
    });
    // Nothing was queued for the accounts whose list was right.
    const socket = await FrameLog.open(url, members[1]!.token);
    try {
      await socket.until((log) => log.has('queue_empty'));
      expect(socket.envelopes()).toEqual([]);
    } finally {
      socket.close();
    }
    // A device that does not exist is extra; a wrong registration id is stale (410).
    const extra = await call(
      url,
      'PUT',
      '/v1/messages/multi-recipient',
      request('group-3', [
        {
          accountId: members[1]!.accountId,
          devices: [...devicesOf(members[1]!), { deviceId: 9, registrationId: 5 }],
        },
      ]),
    );
    expect(extra.status).toBe(409);
    expect(extra.json.error.details).toEqual({
      accounts: [{ accountId: members[1]!.accountId, missingDevices: [], extraDevices: [9] }],
    });
    const stale = await call(
      url,
      'PUT',
      '/v1/messages/multi-recipient',
      request('group-4', [
        {
          accountId: members[1]!.accountId,
          devices: [
            {
              deviceId: members[1]!.deviceId,
              registrationId: (members[1]!.registrationId % 16000) + 1,
            },
          ],
        },
      ]),
    );
    expect(stale.status).toBe(410);
    expect(multiStaleDevicesSchema.parse(stale.json.error.details)).toEqual({
      accounts: [{ accountId: members[1]!.accountId, staleDevices: [members[1]!.deviceId] }],
    });
    await t.relay.revoke(members[0]!.accountId, { deviceId: added.deviceId, wipe: false });
  });

  it('answers 404 naming accounts of another organisation or unknown, and validates the body', async () => {
    const outsider = await enrolNew(t.relay, 'Elsewhere', 'Other Practice', 'clinician');
    const r = await call(
      url,
      'PUT',
      '/v1/messages/multi-recipient',
      request('group-5', [
        { accountId: members[1]!.accountId, devices: devicesOf(members[1]!) },
        { accountId: outsider.accountId, devices: devicesOf(outsider) },
      ]),
    );
    expect(r.status).toBe(404);
    expect(multiNotFoundSchema.parse(r.json.error.details)).toEqual({
      accountIds: [outsider.accountId],
    });
    const twice = await call(
      url,
      'PUT',
      '/v1/messages/multi-recipient',
      request('group-6', [
        { accountId: members[1]!.accountId, devices: devicesOf(members[1]!) },
        { accountId: members[1]!.accountId, devices: devicesOf(members[1]!) },
      ]),
    );
    expect(twice.status).toBe(400);
    expect(twice.json.error.code).toBe('invalid_input');
    const wrongType = await call(url, 'PUT', '/v1/messages/multi-recipient', {
      token: sender.token,
      body: { clientMessageId: 'group-7', type: 3, content, recipients: everyone() },
    });
    expect(wrongType.status).toBe(400);
  });
});

describe('multi-recipient send needs authentication', () => {
  it('is refused without a token', async () => {
    const relay = await startTestRelay({}, 'sqlite');
    try {
      const r = await call(relay.relay.url, 'PUT', '/v1/messages/multi-recipient', {
        body: { clientMessageId: 'x1', type: 7, content, recipients: [] },
      });
      expect(r.status).toBe(401);
    } finally {
      await relay.stop();
    }
  });
});
