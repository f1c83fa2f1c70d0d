// Certificate pinning against a relay serving TLS with a self-signed certificate (as a practice
// relay often does): the right pin connects for HTTP and WebSocket; a wrong one is refused with
// an error that says what to do, before any request (enrolment code, token, message) is sent.
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isMessengerError } from '../../../../shared/errors.js';
import { enrolProfile } from '../../../../main/core/messaging/enrolment.js';
import { MessagingCore } from '../../../../main/core/messaging/messaging-core.js';
import type { MessagingEvent } from '../../../../main/core/messaging/messaging-events.js';
import { TlsPin } from '../../../../main/core/messaging/relay/tls-pin.js';
import type { ProfileStore } from '../../../../main/core/profile/profile-store.js';
import { silentLogger } from '../../../../server/log.js';
import { startRelay, type RunningRelay } from '../../../../server/relay.js';
import { selfSignedCert, type SelfSignedCert } from '../../../helpers/self-signed-cert.js';
import { PASSCODE, makeTempDir, newStore } from '../helpers/temp-profiles.js';
import { eventually, fastTuning, quietLogger } from './messaging-harness.js';

let temp: ReturnType<typeof makeTempDir>;
let relay: RunningRelay;
let certificate: SelfSignedCert;
let store: ProfileStore;
const cores: MessagingCore[] = [];
const wrongPin = 'ab'.repeat(32);

beforeEach(async () => {
  temp = makeTempDir('pmsg-tls-');
  certificate = selfSignedCert(temp.dir);
  relay = await startRelay({
    dataDir: path.join(temp.dir, 'relay'),
    host: '127.0.0.1',
    port: 0,
    tls: { cert: certificate.cert, key: certificate.key },
    logger: silentLogger,
    limits: { anonymousBurst: 1000, anonymousPerSecond: 1000 },
  });
  store = newStore(path.join(temp.dir, 'profiles'));
});
afterEach(async () => {
  for (const core of cores.splice(0)) core.stop();
  await relay.close();
  temp.cleanup();
});

async function enrolled(name: string, role: 'reception' | 'clinician') {
  const { code } = await relay.enrol({ displayName: name, role, org: 'Riverside' });
  const profile = await store.create({ label: name, passcode: PASSCODE });
  const account = await enrolProfile(profile, {
    serverUrl: relay.url,
    code,
    pin: new TlsPin(certificate.sha256),
  });
  return { profile, accountId: account.accountId };
}

function open(profile: Parameters<typeof MessagingCore.open>[0], pin: string) {
  const core = MessagingCore.open(profile, {
    serverCertificateSha256: pin,
    tuning: fastTuning,
    logger: quietLogger,
  });
  const seen: MessagingEvent[] = [];
  core.events.on((event) => seen.push(event));
  cores.push(core);
  return { core, seen };
}

const pinRefusal = (error: unknown) =>
  isMessengerError(error, 'forbidden') &&
  /not the one your practice's policy pins/.test(error.message) &&
  error.message.includes(certificate.sha256);

describe('relay certificate pinning', () => {
  it('the right pin connects over HTTPS and WSS and messages flow', async () => {
    expect(relay.url).toMatch(/^https:\/\/127\.0\.0\.1:/);
    const reception = await enrolled('Reception Desk', 'reception');
    const gp = await enrolled('Dr A Patel', 'clinician');
    const sender = open(reception.profile, certificate.sha256);
    const receiver = open(gp.profile, certificate.sha256);
    sender.core.start();
    receiver.core.start();
    await eventually(() => receiver.core.connectionState === 'online', 'WSS online');
    const conversation = await sender.core.openDirect(gp.accountId);
    const message = await sender.core.sendText(conversation.id, 'over pinned TLS');
    await receiver.core.events.next('message.added', (e) => e.message.id === message.id);
    expect(gp.profile.repositories.messages.get(message.id)?.body).toBe('over pinned TLS');
  });

  it('a wrong pin is refused with a clear error, and nothing reaches the relay', async () => {
    // Enrolment: refused before the code is sent, so the same code still works afterwards.
    const { code } = await relay.enrol({ displayName: 'Nurse Jones', role: 'nurse', org: 'R' });
    const nurse = await store.create({ label: 'Nurse Jones', passcode: PASSCODE });
    const refused = await enrolProfile(nurse, {
      serverUrl: relay.url,
      code,
      pin: new TlsPin(wrongPin),
    }).catch((error: unknown) => error);
    expect(pinRefusal(refused), String(refused)).toBe(true);
    await enrolProfile(nurse, { serverUrl: relay.url, code, pin: new TlsPin(certificate.sha256) });

    const reception = await enrolled('Reception Desk', 'reception');
    const gp = await enrolled('Dr A Patel', 'clinician');
    // A conversation that exists from before the relay's certificate changed.
    const right = open(reception.profile, certificate.sha256);
    const conversation = await right.core.openDirect(gp.accountId);
    right.core.stop();

    const wrong = open(reception.profile, wrongPin);
    wrong.core.start();
    const directory = await wrong.core.refreshDirectory().catch((error: unknown) => error);
    expect(pinRefusal(directory), String(directory)).toBe(true);
    const message = await wrong.core.sendText(conversation.id, 'must not leave this computer');
    const failed = await wrong.core.events.next(
      'message.status',
      (e) => e.messageId === message.id && e.status === 'failed',
    );
    expect(failed.failureReason).toMatch(/certificate is not the one your practice's policy pins/);
    expect(wrong.seen.some((e) => e.type === 'connection.changed' && e.state === 'online')).toBe(
      false,
    );
    wrong.core.stop();

    // The GP's device gets nothing: the relay never queued the message.
    const receiver = open(gp.profile, certificate.sha256);
    const drained = receiver.core.events.next('queue.drained');
    receiver.core.start();
    await drained;
    expect(gp.profile.repositories.messages.get(message.id)).toBeNull();
    expect(receiver.seen.some((e) => e.type === 'message.added')).toBe(false);
  });
});
