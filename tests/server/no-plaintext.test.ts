import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  KEMPublicKey,
  PreKeyBundle,
  PreKeySignalMessage,
  ProtocolAddress,
  PublicKey,
  processPreKeyBundle,
  signalDecryptPreKey,
  signalEncrypt,
} from '@signalapp/libsignal-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { preKeyBundleResponseSchema } from '../../shared/protocol/index.js';
import { call, enrolNew, FrameLog, type EnrolledDevice } from './relay-client.js';
import { memoryStores } from './memory-signal-store.js';
import { startTestRelay, type TestRelay } from './test-relay.js';

// Two clients run a real PQXDH + Double Ratchet session through the relay. The relay's files
// must hold the ciphertext (the control: the scan does see what the relay stored) but never the
// plaintext marker, in any encoding a careless implementation might use.

const marker = `PLAINTEXT-MARKER-${Math.random().toString(36).slice(2)}-NHS 943 476 5919`;
let t: TestRelay;
let alice: EnrolledDevice;
let bob: EnrolledDevice;

beforeAll(async () => {
  t = await startTestRelay();
  alice = await enrolNew(t.relay, 'Alice');
  bob = await enrolNew(t.relay, 'Bob');
});
afterAll(async () => {
  await t.stop();
});

function relayFiles(): Buffer {
  return Buffer.concat(readdirSync(t.dataDir).map((f) => readFileSync(path.join(t.dataDir, f))));
}

function assertNoMarker(files: Buffer) {
  for (const form of [
    Buffer.from(marker, 'utf8'),
    Buffer.from(marker, 'utf16le'),
    Buffer.from(Buffer.from(marker).toString('base64')),
    Buffer.from(Buffer.from(marker).toString('hex')),
  ]) {
    expect(files.includes(form)).toBe(false);
  }
}

it('stores and forwards only ciphertext of a real libsignal session', async () => {
  const b = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));
  const fetched = await call(t.relay.url, 'GET', `/v1/keys/${bob.accountId}`, {
    token: alice.token,
  });
  const device = preKeyBundleResponseSchema.parse(fetched.json).devices[0]!;
  const bundle = PreKeyBundle.new(
    device.registrationId,
    device.deviceId,
    device.preKey?.keyId ?? null,
    device.preKey ? PublicKey.deserialize(b(device.preKey.publicKey)) : null,
    device.signedPreKey.keyId,
    PublicKey.deserialize(b(device.signedPreKey.publicKey)),
    b(device.signedPreKey.signature),
    PublicKey.deserialize(b(device.identityKey)),
    device.kyberPreKey.keyId,
    KEMPublicKey.deserialize(b(device.kyberPreKey.publicKey)),
    b(device.kyberPreKey.signature),
  );
  const aliceStores = memoryStores(alice.keys);
  const aliceAddress = ProtocolAddress.new(alice.accountId, alice.deviceId);
  const bobAddress = ProtocolAddress.new(bob.accountId, bob.deviceId);
  await processPreKeyBundle(
    bundle,
    bobAddress,
    aliceAddress,
    aliceStores.sessions,
    aliceStores.identities,
  );
  const ciphertext = await signalEncrypt(
    new Uint8Array(Buffer.from(marker)),
    bobAddress,
    aliceAddress,
    aliceStores.sessions,
    aliceStores.identities,
  );
  const content = Buffer.from(ciphertext.serialize());
  const sent = await call(t.relay.url, 'PUT', `/v1/messages/${bob.accountId}`, {
    token: alice.token,
    body: {
      clientMessageId: 'marker-1',
      messages: [
        {
          deviceId: 1,
          registrationId: bob.registrationId,
          type: ciphertext.type(),
          content: content.toString('base64'),
        },
      ],
    },
  });
  expect(sent.status).toBe(200);

  const stored = relayFiles();
  expect(stored.includes(content)).toBe(true); // control: the scan sees what the relay kept
  assertNoMarker(stored);

  const log = await FrameLog.open(t.relay.url, bob.token);
  await log.until((l) => l.envelopes().length === 1);
  const envelope = log.envelopes()[0]!;
  const bobStores = memoryStores(bob.keys);
  const plaintext = await signalDecryptPreKey(
    PreKeySignalMessage.deserialize(b(envelope.content)),
    aliceAddress,
    bobAddress,
    bobStores.sessions,
    bobStores.identities,
    bobStores.preKeys,
    bobStores.signedPreKeys,
    bobStores.kyberPreKeys,
  );
  expect(Buffer.from(plaintext).toString()).toBe(marker);
  log.ack([envelope.id]);
  log.send({ type: 'ping' });
  await log.until((l) => l.has('pong'));
  log.close();
  assertNoMarker(relayFiles());
});
