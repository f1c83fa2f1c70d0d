import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OpenProfile } from '../../../../main/core/profile/open-profile.js';
import { PASSCODE, makeTempDir, newStore } from '../helpers/temp-profiles.js';

let temp: ReturnType<typeof makeTempDir>;
beforeEach(() => {
  temp = makeTempDir();
});
afterEach(() => temp.cleanup());

/** Every byte of every file in the profile folder, by file name. */
function profileFiles(directory: string): Map<string, Buffer> {
  return new Map(
    readdirSync(directory).map((name) => [name, readFileSync(path.join(directory, name))]),
  );
}

function encodings(marker: string): Buffer[] {
  const utf16be = Buffer.from(marker, 'utf16le').swap16();
  return [Buffer.from(marker, 'utf8'), Buffer.from(marker, 'utf16le'), utf16be];
}

function filesContaining(directory: string, marker: string): string[] {
  const hits: string[] = [];
  for (const [name, bytes] of profileFiles(directory)) {
    if (encodings(marker).some((needle) => bytes.includes(needle))) hits.push(name);
  }
  return hits;
}

function storeMessage(profile: OpenProfile, body: string): void {
  const { conversations, messages } = profile.repositories;
  const conversation = conversations.getOrCreateDirect('account-of-dr-who', Date.now());
  const inserted = messages.insert({
    id: randomUUID(),
    conversationId: conversation.id,
    direction: 'incoming',
    senderAccountId: 'account-of-dr-who',
    senderDeviceId: 1,
    body,
    status: 'delivered',
    sentAt: Date.now(),
    receivedAt: Date.now(),
    expiresAt: null,
  });
  expect(inserted).toBe(true);
}

describe('messages at rest', () => {
  it('the search itself finds a marker written in the clear (control)', () => {
    const marker = `CONTROL-${randomUUID()}`;
    const dir = path.join(temp.dir, 'control');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'utf16.bin'), Buffer.from(`xx${marker}yy`, 'utf16le'));
    expect(filesContaining(dir, marker)).toEqual(['utf16.bin']);
  });

  it('no profile file contains a stored message, open or closed, checkpointed or not', async () => {
    const store = newStore(temp.dir);
    const profile = await store.create({ label: 'Reception', passcode: PASSCODE });
    const marker = `PLAINTEXT-MARKER-${randomUUID()}`;
    // Enough copies to spill well beyond one page into the WAL.
    for (let i = 0; i < 50; i += 1) storeMessage(profile, `Patient call-back: ${marker} #${i}`);

    // Open, with the data only in the WAL.
    const beforeCheckpoint = profileFiles(profile.directory);
    expect([...beforeCheckpoint.keys()].sort()).toEqual(
      expect.arrayContaining(['profile.db', 'profile.db-wal', 'profile.db-shm', 'profile.json']),
    );
    expect(beforeCheckpoint.get('profile.db-wal')?.length ?? 0).toBeGreaterThan(4096);
    expect(filesContaining(profile.directory, marker)).toEqual([]);

    // Open, checkpointed into the main file.
    profile.db.pragma('wal_checkpoint(PASSIVE)');
    expect(filesContaining(profile.directory, marker)).toEqual([]);

    // Closed.
    profile.close();
    expect(filesContaining(profile.directory, marker)).toEqual([]);

    // And the message really is there, so the search looked at real data.
    const reopened = await store.unlock(profile.id, PASSCODE);
    const conversation = reopened.repositories.conversations.findDirect('account-of-dr-who');
    const page = reopened.repositories.messages.pageBefore(conversation?.id ?? '', null, 100);
    expect(page).toHaveLength(50);
    expect(page.every((m) => m.body.includes(marker))).toBe(true);
    reopened.close();
    expect(filesContaining(profile.directory, marker)).toEqual([]);
  });
});
