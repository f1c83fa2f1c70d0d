import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { enrolProfile } from '../../../../main/core/messaging/enrolment.js';
import { MessagingQueries } from '../../../../main/core/messaging/messaging-queries.js';
import { transferWindow } from '../../../../main/core/messaging/attachments/transfer-window.js';
import { PASSCODE } from '../helpers/temp-profiles.js';
import { Staff, createWorld, eventually, type World } from './messaging-harness.js';

let world: World;
beforeEach(async () => {
  world = await createWorld();
});
afterEach(async () => {
  await world.cleanup();
});

const MARKER = 'PMSG-ATTACHMENT-MARKER-7Q2';
const NAME = 'rash-photo-of-MRS-MARKERFIELD.jpg';
const maxBytes = 25 * 1_048_576;

/** A JPEG-headed file of `size` bytes with the marker written in many places. */
function photo(size: number): Buffer {
  const bytes = randomBytes(size);
  bytes.set([0xff, 0xd8, 0xff, 0xe0], 0);
  for (let at = 64; at + MARKER.length < size; at += 100_000) bytes.write(MARKER, at, 'utf8');
  return bytes;
}

/** Every file under a folder, recursively. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}
const containing = (dir: string, needle: string) =>
  filesUnder(dir).filter((f) => readFileSync(f).includes(Buffer.from(needle, 'utf8')));

async function sendPhoto(from: Staff, to: Staff, bytes: Buffer, name = NAME) {
  const conversation = await from.core.openDirect(to.accountId);
  return from.core.attachments.send(conversation.id, { bytes, name, maxBytes });
}

describe('encrypted attachments through a real relay', () => {
  it('an image arrives byte for byte; the relay holds only ciphertext and deletes it once fetched', async () => {
    const gp = await world.enrol('Dr A Patel');
    const nurse = await world.enrol('Nurse B Jones', 'nurse');
    gp.core.start();
    const bytes = photo(1_300_000); // three chunks
    const sent = await sendPhoto(gp, nurse, bytes);
    expect((await gp.core.attachments.whenSettled(sent.id)).state).toBe('uploaded');

    // On the relay's disk: the blob's chunks, none holding the file's bytes or its name.
    const blobFiles = filesUnder(path.join(world.relay.dataDir, 'blobs'));
    expect(blobFiles.filter((f) => f.endsWith('.chunk'))).toHaveLength(3);
    expect(containing(world.relay.dataDir, MARKER)).toEqual([]);
    expect(containing(world.relay.dataDir, 'MARKERFIELD')).toEqual([]);
    expect(containing(world.relay.dataDir, bytes.subarray(200, 260).toString('latin1'))).toEqual(
      [],
    );

    nurse.core.start();
    await eventually(() => nurse.profile.repositories.attachments.get(sent.id) !== null, 'message');
    const received = await nurse.core.attachments.whenSettled(sent.id);
    expect(received.state).toBe('ready');
    const { record, bytes: got } = nurse.core.attachments.read(sent.id);
    expect(got.equals(bytes)).toBe(true);
    expect(record.contentType).toBe('image/jpeg');
    expect(record.fileName).toBe(NAME);
    // Every recipient device has it: the relay deletes the blob.
    await eventually(
      () => filesUnder(path.join(world.relay.dataDir, 'blobs')).length === 0,
      'blob deleted',
    );
  });

  it('refuses a program renamed .jpg and an SVG, before anything is stored or sent', async () => {
    const gp = await world.enrol('Dr A Patel');
    const nurse = await world.enrol('Nurse B Jones', 'nurse');
    const exe = Buffer.concat([Buffer.from('MZ\x90\x00', 'latin1'), randomBytes(4000)]);
    await expect(sendPhoto(gp, nurse, exe, 'holiday.jpg')).rejects.toThrow(/Windows program/);
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>');
    await expect(sendPhoto(gp, nurse, svg, 'chart.png')).rejects.toThrow(/SVG/);
    await expect(
      gp.core.attachments.send((await gp.core.openDirect(nurse.accountId)).id, {
        bytes: photo(3000),
        name: 'a.jpg',
        maxBytes: 1000,
      }),
    ).rejects.toThrow(/allows attachments up to/);
    expect(gp.profile.repositories.attachments.inState('uploading')).toEqual([]);
  });

  it('an upload cut off mid-way resumes from the chunk it reached', async () => {
    // A proxy between the sender and the relay that can drop every connection.
    let cut = false;
    let chunkPuts = 0;
    const sockets = new Set<net.Socket>();
    const relayPort = new URL(world.relay.relay.url).port;
    const proxy = net.createServer((client) => {
      if (cut) return client.destroy();
      const upstream = net.connect(Number(relayPort), '127.0.0.1');
      sockets.add(client).add(upstream);
      client.on('data', (d: Buffer) => {
        chunkPuts += d.toString('latin1').split('PUT /v1/attachments/').length - 1;
      });
      client.pipe(upstream).pipe(client);
      const end = () => (client.destroy(), upstream.destroy());
      client.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const port = (proxy.address() as net.AddressInfo).port;
      const issued = await world.relay.relay.enrol({
        displayName: 'Dr C Sender',
        role: 'clinician',
        org: 'Riverside Surgery',
      });
      const profile = await world.store.create({ label: 'sender', passcode: PASSCODE });
      const account = await enrolProfile(profile, {
        serverUrl: `http://127.0.0.1:${port}`,
        code: issued.code,
      });
      const gp = new Staff('sender', world.store, profile, account.accountId);
      world.staff.push(gp);
      const nurse = await world.enrol('Nurse B Jones', 'nurse');
      gp.core.start({ receive: false });
      // Twenty chunks: enough that the line drops with most of them still to send, a window
      // (transferWindow) in flight at a time.
      const bytes = photo(19 * 512 * 1024 + 10);
      const sent = await sendPhoto(gp, nurse, bytes);
      // Chunks not yet held by the relay, as the sender's upload counts them.
      const uploaded = () => 20 - (gp.core.attachments.uploadedChunks(sent.id) ?? 0);
      await eventually(() => uploaded() <= 17, 'three chunks uploaded');
      cut = true;
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => setTimeout(resolve, 400));
      const pendingWhileCut = uploaded();
      expect(pendingWhileCut).toBeGreaterThan(0);
      cut = false;
      expect((await gp.core.attachments.whenSettled(sent.id)).state).toBe('uploaded');
      // Twenty chunks, each sent once, bar at most those in flight (one window) when the line
      // dropped: the relay's list says what it holds, so nothing it holds is sent again.
      expect(chunkPuts).toBeGreaterThanOrEqual(20);
      expect(chunkPuts).toBeLessThanOrEqual(20 + transferWindow);

      nurse.core.start();
      await eventually(() => nurse.profile.repositories.attachments.get(sent.id) !== null, 'msg');
      expect((await nurse.core.attachments.whenSettled(sent.id)).state).toBe('ready');
      expect(nurse.core.attachments.read(sent.id).bytes.equals(bytes)).toBe(true);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });

  it('a file can be urgent and answer a message; both arrive with it', async () => {
    const gp = await world.enrol('Dr A Patel');
    const nurse = await world.enrol('Nurse B Jones', 'nurse');
    gp.core.start();
    nurse.core.start();
    const question = await nurse.sendTo(gp, 'Can you look at the wound photo from yesterday?');
    await eventually(() => gp.profile.repositories.messages.get(question.id) !== null, 'question');
    const conversation = await gp.core.openDirect(nurse.accountId);
    const other = await gp.core.openDirect(
      (await world.enrol('Reception Desk', 'reception')).accountId,
    );
    const bytes = photo(700_000);
    // Only a message of the same conversation can be answered.
    await expect(
      gp.core.attachments.send(other.id, { bytes, name: 'a.jpg', maxBytes, replyTo: question.id }),
    ).rejects.toThrow(/not in this conversation/);
    const sent = await gp.core.attachments.send(conversation.id, {
      bytes,
      name: 'marked wound.jpg',
      caption: 'Compare with this one',
      maxBytes,
      urgent: true,
      replyTo: question.id,
    });
    expect(gp.profile.repositories.messages.get(sent.id)?.urgent).toBe(true);
    await eventually(() => nurse.profile.repositories.attachments.get(sent.id) !== null, 'file');
    expect((await nurse.core.attachments.whenSettled(sent.id)).state).toBe('ready');
    expect(nurse.profile.repositories.messages.get(sent.id)?.urgent).toBe(true);
    expect(new MessagingQueries(nurse.profile.db).replyTo(sent.id)).toBe(question.id);
    expect(nurse.core.attachments.read(sent.id).bytes.equals(bytes)).toBe(true);
  });

  it('delete for everyone removes the attachment from both profiles', async () => {
    const gp = await world.enrol('Dr A Patel');
    const nurse = await world.enrol('Nurse B Jones', 'nurse');
    gp.core.start();
    nurse.core.start();
    const sent = await sendPhoto(gp, nurse, photo(700_000));
    await eventually(() => nurse.profile.repositories.attachments.get(sent.id) !== null, 'msg');
    expect((await nurse.core.attachments.whenSettled(sent.id)).state).toBe('ready');
    await gp.core.deleteForEveryone(sent.conversationId, [sent.id], 'sender');
    await eventually(() => nurse.profile.repositories.messages.get(sent.id) === null, 'deleted');
    for (const member of [gp, nurse]) {
      const repo = member.profile.repositories.attachments;
      expect(repo.get(sent.id)).toBeNull();
      expect(repo.storedIndexes(sent.id)).toEqual([]);
      expect(() => member.core.attachments.read(sent.id)).toThrow(/not \(yet\) stored/);
      expect(containing(member.profile.directory, MARKER)).toEqual([]);
    }
  });
});
