import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeBackends } from './relay-backends.js';
import {
  directoryResponseSchema,
  enrolResponseSchema,
  healthResponseSchema,
  meResponseSchema,
  preKeyBundleResponseSchema,
  preKeyCountResponseSchema,
  relayErrorBodySchema,
  sendMessageResponseSchema,
} from '../../shared/protocol/index.js';
import { call, enrolNew, enrolWithCode, envelopeFor, type EnrolledDevice } from './relay-client.js';
import { enrolPayload, generateDeviceKeys, preKeyJson, signedKeyJson } from './signal-keys.js';
import { startTestRelay, type TestRelay } from './test-relay.js';
import {
  KEMKeyPair,
  KyberPreKeyRecord,
  PrivateKey,
  PreKeyRecord,
} from '@signalapp/libsignal-client';

// docs/protocol.md, section by section, against a real relay over real sockets, on each storage
// backend.

let t: TestRelay;
let url: string;
let alice: EnrolledDevice;
let bob: EnrolledDevice;

describeBackends('relay conformance', (backend) => {
  beforeAll(async () => {
    t = await startTestRelay({}, backend);
    url = t.relay.url;
    alice = await enrolNew(t.relay, 'Alice Reception', 'Test Practice', 'reception');
    bob = await enrolNew(t.relay, 'Dr Bob', 'Test Practice', 'clinician');
  });
  afterAll(async () => {
    await t.stop();
  });

  describe('GET /v1/health', () => {
    it('answers without authentication', async () => {
      const r = await call(url, 'GET', '/v1/health');
      expect(r.status).toBe(200);
      expect(healthResponseSchema.parse(r.json)).toEqual({ status: 'ok', protocol: 1 });
    });
  });

  describe('POST /v1/enrol', () => {
    it('returns 201 with account, device 1 and a token for a new account', async () => {
      const issued = await t.relay.enrol({ displayName: 'Nurse N', role: 'nurse', org: 'Other' });
      const keys = generateDeviceKeys();
      const r = await call(url, 'POST', '/v1/enrol', { body: enrolPayload(issued.code, keys) });
      expect(r.status).toBe(201);
      const body = enrolResponseSchema.parse(r.json);
      expect(body).toMatchObject({
        accountId: issued.accountId,
        deviceId: 1,
        displayName: 'Nurse N',
        role: 'nurse',
        org: 'Other',
      });
      expect(body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    });

    it('adds a second device to an existing account with a code issued for that account', async () => {
      const issued = await t.relay.enrol({ accountId: bob.accountId });
      const second = await enrolWithCode(url, issued.code);
      expect(second).toMatchObject({ accountId: bob.accountId, deviceId: 2 });
      const dir = directoryResponseSchema.parse(
        (await call(url, 'GET', '/v1/directory', { token: alice.token })).json,
      );
      const entry = dir.accounts.find((a) => a.accountId === bob.accountId);
      expect(entry?.devices.map((d) => d.deviceId)).toEqual([1, 2]);
      // The relay now requires both devices in a send to Bob: the old list is stale.
      const stale = await call(url, 'PUT', `/v1/messages/${bob.accountId}`, {
        token: alice.token,
        body: { clientMessageId: 'two-devices-1', messages: [envelopeFor(bob, 'x')] },
      });
      expect(stale.status).toBe(409);
      expect(stale.json.error).toMatchObject({
        code: 'mismatched_devices',
        details: { missingDevices: [2], extraDevices: [] },
      });
      const ok = await call(url, 'PUT', `/v1/messages/${bob.accountId}`, {
        token: alice.token,
        body: {
          clientMessageId: 'two-devices-1',
          messages: [envelopeFor(bob, 'x'), envelopeFor(second, 'y')],
        },
      });
      expect(ok.status).toBe(200);
      expect(ok.json).toEqual({ queued: [1, 2], duplicates: [] });
      // A device syncing to its own account names the account's other devices, not itself.
      const self = await call(url, 'PUT', `/v1/messages/${bob.accountId}`, {
        token: second.token,
        body: { clientMessageId: 'sync-1', messages: [envelopeFor(bob, 'sync')] },
      });
      expect(self.json).toEqual({ queued: [1], duplicates: [] });
      await t.relay.revoke(bob.accountId, { deviceId: 2, wipe: false });
    });
  });

  describe('GET /v1/me and /v1/directory and /v1/accounts/{id}', () => {
    it('tells a device who it is', async () => {
      const r = await call(url, 'GET', '/v1/me', { token: alice.token });
      expect(meResponseSchema.parse(r.json)).toEqual({
        accountId: alice.accountId,
        deviceId: 1,
        displayName: 'Alice Reception',
        role: 'reception',
        org: 'Test Practice',
      });
    });

    it('lists active accounts of the caller organisation only, with their devices', async () => {
      await t.relay.enrol({ displayName: 'Pending Person', role: 'nurse', org: 'Test Practice' });
      const r = await call(url, 'GET', '/v1/directory', { token: alice.token });
      expect(r.status).toBe(200);
      const names = directoryResponseSchema.parse(r.json).accounts.map((a) => a.displayName);
      expect(names).toContain('Alice Reception');
      expect(names).toContain('Dr Bob');
      expect(names).not.toContain('Nurse N'); // other organisation
      expect(names).not.toContain('Pending Person'); // code not redeemed yet
    });

    it('returns one account, and 404 for unknown ones and those of other organisations', async () => {
      const r = await call(url, 'GET', `/v1/accounts/${bob.accountId}`, { token: alice.token });
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({
        accountId: bob.accountId,
        displayName: 'Dr Bob',
        role: 'clinician',
      });
      const other = await enrolNew(t.relay, 'Elsewhere', 'Another Practice');
      const hidden = await call(url, 'GET', `/v1/accounts/${other.accountId}`, {
        token: alice.token,
      });
      expect(hidden.status).toBe(404);
      expect(relayErrorBodySchema.parse(hidden.json).error.code).toBe('not_found');
      const keys = await call(url, 'GET', `/v1/keys/${other.accountId}`, { token: alice.token });
      expect(keys.status).toBe(404);
    });
  });

  describe('prekeys', () => {
    it('hands out one one-time EC and Kyber prekey per fetch, then the last-resort Kyber key', async () => {
      const carol = await enrolNew(t.relay, 'Carol');
      const seen: (number | null)[] = [];
      const kyberIds: number[] = [];
      for (let i = 0; i < 4; i += 1) {
        const r = await call(url, 'GET', `/v1/keys/${carol.accountId}/1`, { token: alice.token });
        expect(r.status).toBe(200);
        const bundle = preKeyBundleResponseSchema.parse(r.json).devices[0]!;
        expect(bundle.identityKey).toBe(
          Buffer.from(carol.keys.identity.publicKey.serialize()).toString('base64'),
        );
        expect(bundle.registrationId).toBe(carol.registrationId);
        seen.push(bundle.preKey?.keyId ?? null);
        kyberIds.push(bundle.kyberPreKey.keyId);
        expect(bundle.kyberPreKeyIsLastResort).toBe(i >= 3);
      }
      expect(seen).toEqual([1, 2, 3, null]);
      expect(kyberIds).toEqual([1, 2, 3, 0xffffff]);
      const count = await call(url, 'GET', '/v1/keys/count', { token: carol.token });
      expect(preKeyCountResponseSchema.parse(count.json)).toEqual({ preKeys: 0, kyberPreKeys: 0 });
    });

    it('fetches every device of an account at once, and 404s an unknown device', async () => {
      const r = await call(url, 'GET', `/v1/keys/${bob.accountId}`, { token: alice.token });
      expect(r.status).toBe(200);
      expect(r.json.devices.map((d: { deviceId: number }) => d.deviceId)).toEqual([1]);
      const missing = await call(url, 'GET', `/v1/keys/${bob.accountId}/9`, { token: alice.token });
      expect(missing.status).toBe(404);
    });

    it('uploads one-time keys and rotates the signed prekey, checking signatures', async () => {
      const dave = await enrolNew(t.relay, 'Dave');
      const identity = dave.keys.identity;
      const ec = PrivateKey.generate();
      const newPreKey = PreKeyRecord.new(50, ec.getPublicKey(), ec);
      const pair = KEMKeyPair.generate();
      const newKyber = KyberPreKeyRecord.new(
        60,
        Date.now(),
        pair,
        identity.privateKey.sign(pair.getPublicKey().serialize()),
      );
      const rotated = PrivateKey.generate();
      const signedPreKey = {
        keyId: 7,
        publicKey: Buffer.from(rotated.getPublicKey().serialize()).toString('base64'),
        signature: Buffer.from(
          identity.privateKey.sign(rotated.getPublicKey().serialize()),
        ).toString('base64'),
      };
      const r = await call(url, 'PUT', '/v1/keys', {
        token: dave.token,
        body: {
          preKeys: [preKeyJson(newPreKey)],
          kyberPreKeys: [signedKeyJson(newKyber)],
          signedPreKey,
        },
      });
      expect(r.status).toBe(200);
      expect(r.json).toEqual({ preKeys: 4, kyberPreKeys: 4 });
      const bundle = (
        await call(url, 'GET', `/v1/keys/${dave.accountId}/1`, { token: alice.token })
      ).json.devices[0];
      expect(bundle.signedPreKey).toEqual(signedPreKey);

      const forged = { ...signedPreKey, signature: Buffer.alloc(64, 1).toString('base64') };
      const bad = await call(url, 'PUT', '/v1/keys', {
        token: dave.token,
        body: { signedPreKey: forged },
      });
      expect(bad.status).toBe(400);
      expect(bad.json.error.code).toBe('invalid_input');
      expect(bad.json.error.message).toMatch(/signature/);
      const empty = await call(url, 'PUT', '/v1/keys', { token: dave.token, body: {} });
      expect(empty.status).toBe(400);
    });
  });

  describe('PUT /v1/messages/{accountId}', () => {
    it('queues, recognises a retried clientMessageId, and reports stale registration ids', async () => {
      const body = {
        clientMessageId: 'm-dup',
        clientTimestamp: 1,
        messages: [envelopeFor(bob, 'hello')],
      };
      const first = await call(url, 'PUT', `/v1/messages/${bob.accountId}`, {
        token: alice.token,
        body,
      });
      expect(first.status).toBe(200);
      expect(sendMessageResponseSchema.parse(first.json)).toEqual({ queued: [1], duplicates: [] });
      const again = await call(url, 'PUT', `/v1/messages/${bob.accountId}`, {
        token: alice.token,
        body,
      });
      expect(again.json).toEqual({ queued: [], duplicates: [1] });

      const stale = await call(url, 'PUT', `/v1/messages/${bob.accountId}`, {
        token: alice.token,
        body: {
          clientMessageId: 'm-stale',
          messages: [
            { ...envelopeFor(bob, 'x'), registrationId: bob.registrationId === 1 ? 2 : 1 },
          ],
        },
      });
      expect(stale.status).toBe(410);
      expect(stale.json.error).toMatchObject({
        code: 'stale_devices',
        details: { staleDevices: [1] },
      });

      const extra = await call(url, 'PUT', `/v1/messages/${bob.accountId}`, {
        token: alice.token,
        body: {
          clientMessageId: 'm-extra',
          messages: [envelopeFor(bob, 'x'), { ...envelopeFor(bob, 'y'), deviceId: 5 }],
        },
      });
      expect(extra.status).toBe(409);
      expect(extra.json.error.details).toEqual({ missingDevices: [], extraDevices: [5] });

      const unknown = await call(url, 'PUT', '/v1/messages/00000000-0000-4000-8000-000000000000', {
        token: alice.token,
        body: { clientMessageId: 'm-unknown', messages: [envelopeFor(bob, 'x')] },
      });
      expect(unknown.status).toBe(404);
    });

    it('queues a clientMessageId once even when the same request races itself', async () => {
      const body = { clientMessageId: 'race-1', messages: [envelopeFor(bob, 'race')] };
      const results = await Promise.all(
        Array.from({ length: 8 }, () =>
          call(url, 'PUT', `/v1/messages/${bob.accountId}`, { token: alice.token, body }),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(Array(8).fill(200));
      expect(results.filter((r) => r.json.queued.length === 1)).toHaveLength(1);
      expect(results.filter((r) => r.json.duplicates.length === 1)).toHaveLength(7);
    });

    it('refuses with 507 queue_full when the recipient queue is at its cap', async () => {
      const small = await startTestRelay(
        { maxQueuedPerDevice: 2, queueReservedPerSender: 1 },
        backend,
      );
      try {
        const a = await enrolNew(small.relay, 'A');
        const b = await enrolNew(small.relay, 'B');
        const statuses: number[] = [];
        let last: Awaited<ReturnType<typeof call>> | null = null;
        for (let i = 0; i < 3; i += 1) {
          last = await call(small.relay.url, 'PUT', `/v1/messages/${b.accountId}`, {
            token: a.token,
            body: { clientMessageId: `q${i}`, messages: [envelopeFor(b, `m${i}`)] },
          });
          statuses.push(last.status);
        }
        expect(statuses).toEqual([200, 200, 507]);
        expect(last?.json.error).toMatchObject({
          code: 'queue_full',
          details: { fullDevices: [1] },
        });
      } finally {
        await small.stop();
      }
    });
  });
});
