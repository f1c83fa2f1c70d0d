/**
 * What happens to an attachment when the relay refuses it or an answer is lost: a refusal that
 * would never change stops the transfer as failed with its reason (and the user's Retry starts it
 * again), and a lost `fetched` acknowledgement is sent again until the relay has it.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { enrolProfile } from '../../../../main/core/messaging/enrolment.js';
import { transferWindow } from '../../../../main/core/messaging/attachments/transfer-window.js';
import { PASSCODE } from '../helpers/temp-profiles.js';
import { Staff, createWorld, eventually, type World } from './messaging-harness.js';

let world: World;
let proxies: Array<() => Promise<void>> = [];
beforeEach(async () => {
  world = await createWorld();
});
afterEach(async () => {
  for (const close of proxies) await close();
  proxies = [];
  await world.cleanup();
});

const maxBytes = 25 * 1_048_576;

function photo(size: number): Buffer {
  const bytes = randomBytes(size);
  bytes.set([0xff, 0xd8, 0xff, 0xe0], 0);
  return bytes;
}

type Refusal = { status: number; code: string; message: string } | null;

/**
 * An HTTP proxy in front of the relay that answers the requests `refuse` picks with an error
 * body of the relay's own shape, and passes everything else (WebSocket upgrades too) through,
 * with the request headers as `refuse` left them.
 */
async function refusingProxy(
  refuse: (
    method: string,
    url: string,
    headers: http.IncomingHttpHeaders,
  ) => Refusal | Promise<Refusal>,
): Promise<string> {
  const target = new URL(world.relay.relay.url);
  const server = http.createServer(async (req, res) => {
    // A promise holds the request until it settles (the body waits, unread, meanwhile).
    const refusal = await refuse(req.method ?? 'GET', req.url ?? '/', req.headers);
    if (refusal) {
      req.resume();
      res.writeHead(refusal.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: refusal.code, message: refusal.message } }));
      return;
    }
    const upstream = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  const sockets = new Set<net.Socket>();
  server.on('upgrade', (req, client: net.Socket, head: Buffer) => {
    const upstream = net.connect(Number(target.port), target.hostname, () => {
      const headers = Object.entries(req.headers)
        .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : v}`)
        .join('\r\n');
      upstream.write(`${req.method} ${req.url} HTTP/1.1\r\n${headers}\r\n\r\n`);
      upstream.write(head);
      client.pipe(upstream).pipe(client);
    });
    sockets.add(client).add(upstream);
    const end = () => (client.destroy(), upstream.destroy());
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  server.on('connection', (s) => sockets.add(s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxies.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}

async function enrolVia(label: string, serverUrl: string): Promise<Staff> {
  const issued = await world.relay.relay.enrol({
    displayName: label,
    role: 'clinician',
    org: 'Riverside Surgery',
  });
  const profile = await world.store.create({ label, passcode: PASSCODE });
  const account = await enrolProfile(profile, { serverUrl, code: issued.code });
  const staff = new Staff(label, world.store, profile, account.accountId);
  world.staff.push(staff);
  return staff;
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}
const blobFiles = () => filesUnder(path.join(world.relay.dataDir, 'blobs'));

describe('attachment transfers that cannot succeed as they are', () => {
  it('an upload cancelled midway fails its message visibly ("Upload cancelled"); Retry finishes it', async () => {
    // Every chunk but the first is held at the relay's door until the test lets them go: chunk 0
    // lands, and then a whole window (transferWindow chunks) waits.
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    // Held requests would keep the proxy from closing after a failed expectation.
    onTestFinished(() => release());
    let chunkPuts = 0;
    const url = await refusingProxy(async (method, u) => {
      if (method === 'PUT' && /\/chunks\/[1-9]\d*$/.test(u)) {
        chunkPuts += 1;
        await held;
      }
      return null;
    });
    const gp = await enrolVia('Dr C Sender', url);
    const nurse = await world.enrol('Nurse B Jones', 'nurse');
    gp.core.start({ receive: false });
    const conversation = await gp.core.openDirect(nurse.accountId);
    const bytes = photo(7 * 512 * 1024 + 10); // eight chunks, two windows
    const sent = await gp.core.attachments.send(conversation.id, {
      bytes,
      name: 'wound.jpg',
      maxBytes,
    });
    await eventually(() => chunkPuts === transferWindow, 'a window of chunks on its way');
    const cancelled = await gp.core.attachments.cancel(sent.id);
    expect(cancelled.state).toBe('failed');
    expect(cancelled.failure).toMatch(/^Upload cancelled/);
    const message = gp.profile.repositories.messages.get(sent.id);
    expect(message?.status).toBe('failed');
    expect(message?.failureReason).toMatch(/Upload cancelled.*Retry/);
    expect(
      gp.seen.some(
        (e) => e.type === 'message.status' && e.messageId === sent.id && e.status === 'failed',
      ),
    ).toBe(true);
    // The chunks in flight land; nothing after them is sent and no message with the key goes out.
    release();
    await gp.core.attachments.idle();
    expect(gp.profile.repositories.attachments.get(sent.id)?.state).toBe('failed');
    expect(chunkPuts).toBe(transferWindow);
    expect(gp.core.attachments.uploadedChunks(sent.id)).toBe(transferWindow + 1);
    expect(gp.profile.repositories.outbox.all().filter((i) => i.messageId === sent.id)).toEqual([]);
    // A cancelled (failed) upload cannot be cancelled again.
    await expect(gp.core.attachments.cancel(sent.id)).rejects.toMatchObject({
      code: 'invalid_input',
    });

    await gp.core.attachments.retry(sent.id);
    expect(gp.profile.repositories.messages.get(sent.id)?.status).toBe('pending');
    expect((await gp.core.attachments.whenSettled(sent.id)).state).toBe('uploaded');
    await expect(gp.core.attachments.cancel(sent.id)).rejects.toMatchObject({
      message: /already been uploaded/,
    });
    nurse.core.start();
    await eventually(() => nurse.profile.repositories.attachments.get(sent.id) !== null, 'msg');
    expect((await nurse.core.attachments.whenSettled(sent.id)).state).toBe('ready');
    expect(nurse.core.attachments.read(sent.id).bytes.equals(bytes)).toBe(true);
  });

  it('a refused upload fails visibly with the reason, and Retry sends it once allowed', async () => {
    let refuse = true;
    let refused = 0;
    const url = await refusingProxy((method, u) => {
      if (!refuse || method !== 'POST' || u !== '/v1/attachments') return null;
      refused += 1;
      return {
        status: 413,
        code: 'payload_too_large',
        message: 'Attachments here are at most 5 MB.',
      };
    });
    const gp = await enrolVia('Dr C Sender', url);
    const nurse = await world.enrol('Nurse B Jones', 'nurse');
    gp.core.start({ receive: false });
    const conversation = await gp.core.openDirect(nurse.accountId);
    const bytes = photo(600_000);
    const sent = await gp.core.attachments.send(conversation.id, {
      bytes,
      name: 'rash.jpg',
      maxBytes,
    });

    const settled = await gp.core.attachments.whenSettled(sent.id);
    expect(settled.state).toBe('failed');
    expect(settled.failure).toMatch(/could not be sent: the relay refused it \(Attachments here/);
    expect(settled.failure).toMatch(/Press Retry/);
    const message = gp.profile.repositories.messages.get(sent.id);
    expect(message?.status).toBe('failed');
    expect(message?.failureReason).toBe(settled.failure);
    // Told to the views once, not retried in a loop: past the longest backoff, still one refusal.
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(refused).toBe(1);
    expect(
      gp.seen.filter((e) => e.type === 'message.status' && e.status === 'failed'),
    ).toHaveLength(1);
    expect(gp.seen.some((e) => e.type === 'message.updated' && e.message.id === sent.id)).toBe(
      true,
    );

    refuse = false;
    await gp.core.attachments.retry(sent.id);
    expect(gp.profile.repositories.messages.get(sent.id)?.status).toBe('pending');
    expect((await gp.core.attachments.whenSettled(sent.id)).state).toBe('uploaded');
    expect(
      gp.seen.some(
        (e) => e.type === 'attachment.progress' && e.messageId === sent.id && e.done > 0,
      ),
    ).toBe(true);

    nurse.core.start();
    await eventually(() => nurse.profile.repositories.attachments.get(sent.id) !== null, 'msg');
    expect((await nurse.core.attachments.whenSettled(sent.id)).state).toBe('ready');
    expect(nurse.core.attachments.read(sent.id).bytes.equals(bytes)).toBe(true);
  });

  it('a refused upload does not hold up the other attachments', async () => {
    let refusals = 0;
    const first = () => refusals++ === 0;
    const url = await refusingProxy((method, u) =>
      method === 'PUT' && /\/v1\/attachments\/[^/]+\/chunks\/0$/.test(u) && first()
        ? { status: 403, code: 'forbidden', message: 'Not yours.' }
        : null,
    );
    const gp = await enrolVia('Dr C Sender', url);
    const nurse = await world.enrol('Nurse B Jones', 'nurse');
    const conversation = await gp.core.openDirect(nurse.accountId);
    const a = await gp.core.attachments.send(conversation.id, {
      bytes: photo(1000),
      name: 'a.jpg',
      maxBytes,
    });
    const b = await gp.core.attachments.send(conversation.id, {
      bytes: photo(1000),
      name: 'b.jpg',
      maxBytes,
    });
    gp.core.start({ receive: false });
    expect((await gp.core.attachments.whenSettled(a.id)).state).toBe('failed');
    expect((await gp.core.attachments.whenSettled(b.id)).state).toBe('uploaded');
  });

  it('a refused download fails with the reason; Retry fetches it from where it stopped', async () => {
    let refuseChunk = -1;
    const url = await refusingProxy((method, u) => {
      const match = /\/v1\/attachments\/[^/]+\/chunks\/(\d+)$/.exec(u);
      return method === 'GET' && match && Number(match[1]) === refuseChunk
        ? { status: 403, code: 'forbidden', message: 'This device may not read that.' }
        : null;
    });
    const gp = await world.enrol('Dr A Patel');
    const nurse = await enrolVia('Nurse via proxy', url);
    gp.core.start({ receive: false });
    refuseChunk = 1;
    const bytes = photo(1_300_000); // three chunks
    const sent = await gp.core.attachments.send((await gp.core.openDirect(nurse.accountId)).id, {
      bytes,
      name: 'scan.jpg',
      maxBytes,
    });
    expect((await gp.core.attachments.whenSettled(sent.id)).state).toBe('uploaded');

    nurse.core.start();
    await eventually(() => nurse.profile.repositories.attachments.get(sent.id) !== null, 'msg');
    const failed = await nurse.core.attachments.whenSettled(sent.id);
    expect(failed.state).toBe('failed');
    expect(failed.failure).toMatch(/could not be fetched: the relay refused it \(This device/);
    // Chunks fetched beside the refused one (a window is in flight at once) are kept.
    const kept = nurse.profile.repositories.attachments.storedIndexes(sent.id);
    expect(kept).toContain(0);
    expect(kept).not.toContain(1);
    // The message itself arrived: only its file waits.
    expect(nurse.profile.repositories.messages.get(sent.id)?.status).not.toBe('failed');

    refuseChunk = -1;
    await nurse.core.attachments.retry(sent.id);
    expect((await nurse.core.attachments.whenSettled(sent.id)).state).toBe('ready');
    expect(nurse.core.attachments.read(sent.id).bytes.equals(bytes)).toBe(true);
  });

  it('a recipient that deletes the message before fetching its file declines the blob: it goes at once', async () => {
    const url = await refusingProxy((method, u) =>
      method === 'GET' && /\/chunks\/\d+$/.test(u)
        ? { status: 403, code: 'forbidden', message: 'Not now.' }
        : null,
    );
    const gp = await world.enrol('Dr A Patel');
    const nurse = await enrolVia('Nurse via proxy', url);
    gp.core.start({ receive: false });
    const sent = await gp.core.attachments.send((await gp.core.openDirect(nurse.accountId)).id, {
      bytes: photo(700_000),
      name: 'scan.jpg',
      maxBytes,
    });
    expect((await gp.core.attachments.whenSettled(sent.id)).state).toBe('uploaded');
    expect(blobFiles().length).toBeGreaterThan(0);

    nurse.core.start();
    await eventually(() => nurse.profile.repositories.attachments.get(sent.id) !== null, 'msg');
    expect((await nurse.core.attachments.whenSettled(sent.id)).state).toBe('failed');
    const { conversationId } = nurse.profile.repositories.messages.get(sent.id)!;
    // Transcribed and deleted before the file ever arrived: the relay need not keep it.
    await nurse.core.deleteForEveryone(conversationId, [sent.id], 'transcribed');
    await eventually(() => blobFiles().length === 0, 'the blob declined and deleted');
    // The relay answers after deleting the files; the decline is forgotten once the answer comes.
    await eventually(
      () => nurse.profile.repositories.attachments.pendingDeclines().length === 0,
      'the decline forgotten once the relay answered',
    );
  });

  it('a lost fetched acknowledgement is sent again, also after a restart, until the blob goes', async () => {
    let ackRefusals = 0;
    let acked = false;
    const url = await refusingProxy((method, u) => {
      if (method !== 'POST' || !/\/v1\/attachments\/[^/]+\/fetched$/.test(u)) return null;
      if (acked) return null;
      ackRefusals += 1;
      return { status: 503, code: 'unavailable', message: 'Try again shortly.' };
    });
    const gp = await world.enrol('Dr A Patel');
    const nurse = await enrolVia('Nurse via proxy', url);
    gp.core.start({ receive: false });
    const sent = await gp.core.attachments.send((await gp.core.openDirect(nurse.accountId)).id, {
      bytes: photo(700_000),
      name: 'scan.jpg',
      maxBytes,
    });
    expect((await gp.core.attachments.whenSettled(sent.id)).state).toBe('uploaded');
    expect(blobFiles().length).toBeGreaterThan(0);

    nurse.core.start();
    await eventually(() => nurse.profile.repositories.attachments.get(sent.id) !== null, 'msg');
    expect((await nurse.core.attachments.whenSettled(sent.id)).state).toBe('ready');
    await eventually(() => ackRefusals >= 2, 'the acknowledgement retried');
    expect(nurse.profile.repositories.attachments.awaitingFetchedAck()).toHaveLength(1);
    expect(blobFiles().length).toBeGreaterThan(0);

    // A restart in between: the pending acknowledgement is in the database, not in memory.
    await nurse.reopen();
    acked = true;
    nurse.core.start();
    await eventually(() => blobFiles().length === 0, 'blob deleted once acknowledged');
    await eventually(
      () => nurse.profile.repositories.attachments.awaitingFetchedAck().length === 0,
      'acknowledgement recorded',
    );
    expect(nurse.profile.repositories.attachments.get(sent.id)?.state).toBe('ready');
    expect(nurse.core.attachments.read(sent.id).bytes.length).toBe(700_000);
  });

  it('chunks travel as raw bytes, and a relay that knows only base64 JSON still gets the file', async () => {
    // The sender's relay refuses raw chunks as an older relay would (415); the receiver's asks
    // for JSON only, as an older relay answers. Both transfers still finish, byte for byte.
    const putTypes: string[] = [];
    const senderUrl = await refusingProxy((method, u, headers) => {
      if (method !== 'PUT' || !/\/chunks\/\d+$/.test(u)) return null;
      putTypes.push(String(headers['content-type']));
      if (headers['content-type'] !== 'application/octet-stream') return null;
      return { status: 415, code: 'unsupported_media_type', message: 'Send JSON.' };
    });
    const accepts: string[] = [];
    const receiverUrl = await refusingProxy((method, u, headers) => {
      if (method === 'GET' && /\/chunks\/\d+$/.test(u)) {
        accepts.push(String(headers.accept));
        headers.accept = 'application/json';
      }
      return null;
    });
    const gp = await enrolVia('Dr C Sender', senderUrl);
    const nurse = await enrolVia('Nurse B Jones', receiverUrl);
    gp.core.start({ receive: false });
    const conversation = await gp.core.openDirect(nurse.accountId);
    const bytes = photo(2 * 512 * 1024 + 10); // three chunks
    const sent = await gp.core.attachments.send(conversation.id, {
      bytes,
      name: 'wound.jpg',
      maxBytes,
    });
    expect((await gp.core.attachments.whenSettled(sent.id)).state).toBe('uploaded');
    // Each chunk was tried as raw bytes first, then sent again as JSON.
    expect(putTypes.filter((t) => t === 'application/octet-stream')).toHaveLength(3);
    expect(putTypes.filter((t) => t === 'application/json')).toHaveLength(3);
    nurse.core.start();
    await eventually(() => nurse.profile.repositories.attachments.get(sent.id) !== null, 'msg');
    expect((await nurse.core.attachments.whenSettled(sent.id)).state).toBe('ready');
    expect(nurse.core.attachments.read(sent.id).bytes.equals(bytes)).toBe(true);
    expect(accepts).toHaveLength(3);
    expect(accepts.every((a) => a.startsWith('application/octet-stream'))).toBe(true);
  });
});
