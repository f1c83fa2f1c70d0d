import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { enrolProfile } from '../../../../main/core/messaging/enrolment.js';
import { createSignalStores } from '../../../../main/core/signal/signal-stores.js';
import { PASSCODE } from '../helpers/temp-profiles.js';
import { createWorld, eventually, Staff, type World } from './messaging-harness.js';

// Issue 18: messages are encrypted in the transaction that queues them, and the outbox sends
// queued envelopes several per request (PUT /v1/messages/batch, docs/protocol.md §5c), one by
// one to a relay that predates the batch.

/** An HTTP relay front that counts requests by route; `old` answers the batch as an old relay. */
async function startFront(target: string, old: boolean) {
  const counts = { batch: 0, single: 0 };
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    if (req.method === 'PUT' && url === '/v1/messages/batch') {
      counts.batch += 1;
      if (old) {
        req.resume();
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'not_found', message: 'No such endpoint.' } }));
        return;
      }
    } else if (req.method === 'PUT' && url.startsWith('/v1/messages/')) {
      counts.single += 1;
    }
    const upstream = http.request(
      new URL(url, target),
      { method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let world: World;
let closeFront: (() => Promise<void>) | null = null;
beforeEach(async () => {
  world = await createWorld();
});
afterEach(async () => {
  await world.cleanup();
  await closeFront?.();
  closeFront = null;
});

/** A sender enrolled through the front (its HTTP calls go there; it does not receive). */
async function senderThrough(front: { url: string }): Promise<Staff> {
  const issued = await world.relay.relay.enrol({
    displayName: 'Reception Desk',
    role: 'reception',
    org: 'Riverside Surgery',
  });
  const profile = await world.store.create({ label: 'Reception Desk', passcode: PASSCODE });
  const account = await enrolProfile(profile, { serverUrl: front.url, code: issued.code });
  const sender = new Staff('Reception Desk', world.store, profile, account.accountId);
  world.staff.push(sender);
  return sender;
}

async function burst(sender: Staff, gp: Staff, count: number) {
  const conversation = await sender.core.openDirect(gp.accountId);
  const sent = await Promise.all(
    Array.from({ length: count }, (_, i) => sender.core.sendText(conversation.id, `burst ${i}`)),
  );
  await Promise.all(sent.map((m) => sender.core.whenSent(m.id)));
  await eventually(() => gp.texts(sender).length >= count + 1, 'all received', 30_000);
  await new Promise((r) => setTimeout(r, 200));
  const received = gp.texts(sender).filter((t) => t !== 'first');
  expect([...received].sort()).toEqual(
    Array.from({ length: count }, (_, i) => `burst ${i}`).sort(),
  );
}

describe('the outbox sends in batches', () => {
  it('a burst of messages shares requests, each delivered once', async () => {
    const front = await startFront(world.relay.relay.url, false);
    closeFront = front.close;
    const gp = await world.enrol('Dr A Patel');
    gp.core.start();
    const sender = await senderThrough(front);
    sender.core.start({ receive: false });
    const first = await sender.sendTo(gp, 'first');
    await sender.core.whenSent(first.id);
    const before = { ...front.counts };
    await burst(sender, gp, 40);
    const requests = front.counts.batch + front.counts.single - before.batch - before.single;
    expect(front.counts.batch).toBeGreaterThan(0);
    expect(requests).toBeLessThan(40);
    expect(sender.profile.repositories.outbox.count()).toBe(0);
  });

  it('to a relay without the batch endpoint: one request per message after the first 404', async () => {
    const front = await startFront(world.relay.relay.url, true);
    closeFront = front.close;
    const gp = await world.enrol('Dr A Patel');
    gp.core.start();
    const sender = await senderThrough(front);
    sender.core.start({ receive: false });
    const first = await sender.sendTo(gp, 'first');
    await sender.core.whenSent(first.id);
    await burst(sender, gp, 40);
    // Tried at most once per batch in flight when the first 404 came back, then never again.
    expect(front.counts.batch).toBeGreaterThan(0);
    expect(front.counts.batch).toBeLessThanOrEqual(16);
    expect(front.counts.single).toBeGreaterThanOrEqual(41);
  });

  it('a queued message keeps its ciphertext until the session it was made with is deleted', async () => {
    const gp = await world.enrol('Dr A Patel');
    const reception = await world.enrol('Reception Desk', 'reception');
    gp.core.start();
    reception.core.start();
    const first = await reception.sendTo(gp, 'first');
    await reception.core.whenSent(first.id);
    // Not sending: the row waits, sealed.
    reception.core.stop();
    await reception.sendTo(gp, 'waiting');
    const [row] = reception.profile.repositories.outbox.all().filter((i) => i.kind === 'message');
    expect(row?.envelopes).toHaveLength(1);
    createSignalStores(reception.profile.db).session.deleteSession(gp.accountId, 1);
    const [after] = reception.profile.repositories.outbox.all().filter((i) => i.kind === 'message');
    expect(after?.id).toBe(row?.id);
    expect(after?.envelopes).toBeNull();
  });
});
