import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { enrolProfile } from '../../../../main/core/messaging/enrolment.js';
import { startTestRelay, type TestRelay } from '../../../server/test-relay.js';
import { PASSCODE, makeTempDir, newStore } from '../helpers/temp-profiles.js';

/**
 * A front for the relay that passes the enrolment through and then drops the connection before
 * the answer reaches the client: the relay has redeemed the code, the client never heard.
 */
async function answerLosingProxy(target: string): Promise<{ url: string; server: Server }> {
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    const forward = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        path: req.url,
        method: req.method,
        headers: req.headers,
      },
      (answer) => {
        answer.resume();
        answer.on('end', () => res.socket?.destroy());
      },
    );
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('enrolment whose answer is lost', () => {
  let relay: TestRelay;
  let temp: ReturnType<typeof makeTempDir>;

  beforeEach(async () => {
    relay = await startTestRelay();
    temp = makeTempDir('pmsg-enrol-retry-');
  });
  afterEach(async () => {
    await relay.stop();
    temp.cleanup();
  });

  it('is retried with the same code and gets the same device, not enrolment_code_used', async () => {
    const store = newStore(temp.dir);
    const profile = await store.create({ label: 'Dr A Patel', passcode: PASSCODE });
    const { code, accountId } = await relay.relay.enrol({
      displayName: 'Dr A Patel',
      role: 'clinician',
      org: 'Riverside Surgery',
    });
    const proxy = await answerLosingProxy(relay.relay.url);
    try {
      await expect(enrolProfile(profile, { serverUrl: proxy.url, code })).rejects.toThrow();
    } finally {
      proxy.server.close();
    }
    // The relay redeemed the code; the same request again is recognised by the device's token.
    const account = await enrolProfile(profile, { serverUrl: relay.relay.url, code });
    expect(account.accountId).toBe(accountId);
    expect(account.deviceId).toBe(1);
    const listed = await relay.relay.storage.listAllAccounts();
    const devices = listed.flatMap((a) => a.devices).filter((d) => d.status === 'active');
    expect(devices).toHaveLength(1);
    profile.close();
  });

  it('keeps the keys after a refused code, so a corrected code enrols with them', async () => {
    const store = newStore(temp.dir);
    const profile = await store.create({ label: 'Reception', passcode: PASSCODE });
    const { code } = await relay.relay.enrol({
      displayName: 'Reception',
      role: 'reception',
      org: 'Riverside Surgery',
    });
    await expect(
      enrolProfile(profile, { serverUrl: relay.relay.url, code: 'AAAA-AAAA-AAAA-AAAA' }),
    ).rejects.toThrow(/does not know this enrolment code/);
    const identityBefore = profile.repositories.ownIdentity.get();
    expect(identityBefore).toBeTruthy();
    const account = await enrolProfile(profile, { serverUrl: relay.relay.url, code });
    expect(account.deviceId).toBe(1);
    expect(profile.repositories.ownIdentity.get()?.identityKeyPair).toEqual(
      identityBefore?.identityKeyPair,
    );
    profile.close();
  });

  it('does not give the device to someone who replays the public parts with the used code', async () => {
    const store = newStore(temp.dir);
    const profile = await store.create({ label: 'Nurse', passcode: PASSCODE });
    const { code } = await relay.relay.enrol({
      displayName: 'Nurse',
      role: 'nurse',
      org: 'Riverside Surgery',
    });
    await enrolProfile(profile, { serverUrl: relay.relay.url, code });
    const other = await store.create({ label: 'Intruder', passcode: PASSCODE });
    await expect(enrolProfile(other, { serverUrl: relay.relay.url, code })).rejects.toThrow(
      /already been used/,
    );
    profile.close();
    other.close();
  });
});
