import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrolProfile } from '../../../../main/core/messaging/enrolment.js';
import {
  RelayAddresses,
  parseRelayUrls,
} from '../../../../main/core/messaging/relay/relay-addresses.js';
import { readRelayAccount } from '../../../../main/core/messaging/relay-account.js';
import type { ProfileStore } from '../../../../main/core/profile/profile-store.js';
import { createTestDatabase, postgresUrl } from '../../../server/relay-backends.js';
import { enrolCode, relayCli, startRelayNode, type RelayNode } from '../../../server/relay-node.js';
import { PASSCODE, makeTempDir, newStore } from '../helpers/temp-profiles.js';
import { Staff, eventually } from './messaging-harness.js';

describe('relay addresses', () => {
  it('splits a list on commas and white space, normalises, drops repeats and keeps the order', () => {
    expect(
      parseRelayUrls(
        'https://b.example.nhs.uk, https://a.example.nhs.uk/,https://b.example.nhs.uk',
      ).map(String),
    ).toEqual(['https://b.example.nhs.uk/', 'https://a.example.nhs.uk/']);
    expect(
      parseRelayUrls(['https://a.example.nhs.uk', 'https://c.example.nhs.uk:8443 ']).length,
    ).toBe(2);
  });

  it('refuses an empty list, a bad address in it, and more than eight', () => {
    expect(() => parseRelayUrls(' , ')).toThrow(/No relay address/);
    expect(() => parseRelayUrls('https://a.example.nhs.uk,http://b.example.nhs.uk')).toThrow(
      /only allowed for a relay on this computer/,
    );
    const nine = Array.from({ length: 9 }, (_, i) => `https://n${i}.example.nhs.uk`);
    expect(() => parseRelayUrls(nine)).toThrow(/at most 8/);
  });

  it('moves on from a failed address once, however many calls saw it fail, round the list', () => {
    const addresses = new RelayAddresses('https://a.example.nhs.uk,https://b.example.nhs.uk');
    const a = addresses.current;
    expect(a.host).toBe('a.example.nhs.uk');
    addresses.failed(a);
    addresses.failed(a); // a second request that failed on a: b stays
    expect(addresses.current.host).toBe('b.example.nhs.uk');
    addresses.failed(addresses.current);
    expect(addresses.current.host).toBe('a.example.nhs.uk');
    const one = new RelayAddresses('https://only.example.nhs.uk');
    one.failed(one.current);
    expect(one.current.host).toBe('only.example.nhs.uk');
  });
});

// Two `pmsg relay serve` nodes on one PostgreSQL database and two real clients (SQLCipher
// profile, keychain, libsignal, the product's outbox and socket) given both nodes' addresses.
describe.skipIf(!postgresUrl)('clients with two relay addresses, node 1 killed mid-burst', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let node1: RelayNode;
  let node2: RelayNode;
  let temp: ReturnType<typeof makeTempDir>;
  let store: ProfileStore;
  const staff: Staff[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    node1 = await startRelayNode(database.url);
    node2 = await startRelayNode(database.url);
    temp = makeTempDir('pmsg-failover-');
    store = newStore(temp.dir);
  }, 60_000);
  afterAll(async () => {
    for (const member of staff) member.close();
    await Promise.all([node1?.stop(), node2?.stop()]);
    await database?.drop();
    temp?.cleanup();
  });

  const enrol = async (name: string): Promise<Staff> => {
    const code = await enrolCode(database.url, name);
    const profile = await store.create({ label: name, passcode: PASSCODE });
    const account = await enrolProfile(profile, { serverUrl: [node1.url, node2.url], code });
    const member = new Staff(name, store, profile, account.accountId);
    staff.push(member);
    return member;
  };

  it('the clients move to node 2: every message arrives once and nothing stays queued', async () => {
    const reception = await enrol('Failover Reception');
    const gp = await enrol('Failover GP');
    // Both addresses are kept in the encrypted profile, in the order given.
    expect(readRelayAccount(gp.profile.repositories.settings)?.serverUrls).toEqual([
      new URL(node1.url).toString(),
      new URL(node2.url).toString(),
    ]);
    gp.core.start();
    reception.core.start();
    await eventually(() => gp.core.connectionState === 'online', 'gp online on node 1');
    // A first message sets up the Signal session, so the burst is only sends.
    await reception.sendTo(gp, 'before the burst');
    await eventually(() => gp.texts(reception).length === 1, 'the first message');

    const total = 80;
    const texts = Array.from({ length: total }, (_, i) => `burst ${i}`);
    for (const text of texts) await reception.sendTo(gp, text);
    // Kill node 1 while the burst is going through it: some delivered, some not yet sent.
    await eventually(() => gp.texts(reception).length > 10, 'part of the burst delivered');
    const deliveredBeforeKill = gp.texts(reception).length - 1;
    const pendingAtKill = reception.profile.repositories.outbox.count();
    node1.child.kill('SIGKILL');
    expect(await node1.exited).toBeNull();

    await eventually(
      () => gp.texts(reception).length === total + 1,
      'every message through node 2',
      60_000,
    );
    await eventually(
      () => reception.profile.repositories.outbox.count() === 0,
      'the outbox empty',
      30_000,
    );
    // The burst may have been through before the kill (batched sends are quick): the GP then
    // finds node 2 on its next reconnect attempt rather than having needed it already.
    await eventually(() => gp.core.connectionState === 'online', 'gp online on node 2', 30_000);
    // Give a duplicate time to arrive before checking there is none.
    await new Promise((r) => setTimeout(r, 500));
    const received = gp.texts(reception).slice(1);
    expect(received).toHaveLength(total);
    expect([...received].sort()).toEqual([...texts].sort());
    // The kill really was mid-burst (else this proves nothing): some of it had not reached the
    // receiver yet, and (printed, as the split varies with load) some not even the relay.
    expect(deliveredBeforeKill).toBeLessThan(total);
    process.stderr.write(
      `failover: ${deliveredBeforeKill} of ${total} delivered and ${pendingAtKill} still in the sender's outbox when node 1 was killed\n`,
    );

    // Node 2 holds nothing for the receiver once it has acknowledged everything.
    let queued = -1;
    for (let i = 0; i < 20 && queued !== 0; i += 1) {
      const listed = await relayCli(['list', '--database', database.url]);
      const accounts = (
        JSON.parse(listed.stdout) as {
          accounts: { accountId: string; devices: { queued: number }[] }[];
        }
      ).accounts;
      queued = accounts.find((a) => a.accountId === gp.accountId)?.devices[0]?.queued ?? -1;
      if (queued !== 0) await new Promise((r) => setTimeout(r, 250));
    }
    expect(queued).toBe(0);
  }, 240_000);
});
