// Attachments at rest (issue 21): the file and its key live only inside the SQLCipher database,
// and retention's expiry takes them with their message, the file's key included.
import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encryptFile } from '../../../../main/core/messaging/attachments/attachment-crypto.js';
import { PASSCODE, makeTempDir, newStore } from '../helpers/temp-profiles.js';

let temp: ReturnType<typeof makeTempDir>;
beforeEach(() => {
  temp = makeTempDir();
});
afterEach(() => temp.cleanup());

const filesContaining = (dir: string, needle: Buffer) =>
  readdirSync(dir).filter((name) => readFileSync(path.join(dir, name)).includes(needle));

describe('attachments at rest', () => {
  it('are encrypted in the profile and expire with their message, key and chunks', async () => {
    const store = newStore(temp.dir);
    const profile = await store.create({ label: 'Reception', passcode: PASSCODE });
    const { conversations, messages, attachments } = profile.repositories;
    const marker = Buffer.from(`ATTACHMENT-AT-REST-${randomUUID()}`.repeat(2000));
    const file = encryptFile(marker);
    const conversation = conversations.getOrCreateDirect('account-of-dr-who', Date.now());
    const id = randomUUID();
    messages.insert({
      id,
      conversationId: conversation.id,
      direction: 'incoming',
      senderAccountId: 'account-of-dr-who',
      senderDeviceId: 1,
      body: '',
      status: 'delivered',
      sentAt: 1,
      receivedAt: 1,
      expiresAt: 10,
    });
    attachments.insert({
      messageId: id,
      direction: 'incoming',
      state: 'ready',
      fileKey: file.key,
      sha256: file.sha256,
      size: marker.length,
      contentType: 'text/plain',
      fileName: 'MARKER-NAME.txt',
      chunkCount: file.chunks.length,
      relayId: null,
      createdAt: 1,
    });
    file.chunks.forEach((c, i) => attachments.putChunk(id, i, c));
    profile.db.pragma('wal_checkpoint(PASSIVE)');
    // Neither the plaintext, nor the name, nor the key, nor even the chunk ciphertext on disk.
    for (const needle of [marker.subarray(0, 60), Buffer.from('MARKER-NAME'), file.key]) {
      expect(filesContaining(profile.directory, needle)).toEqual([]);
    }
    expect(filesContaining(profile.directory, file.chunks[0]!.subarray(0, 64))).toEqual([]);
    expect(attachments.storedIndexes(id)).toHaveLength(file.chunks.length);

    expect(messages.deleteExpired(100)).toEqual([id]);
    expect(attachments.get(id)).toBeNull();
    expect(attachments.storedIndexes(id)).toEqual([]);
    profile.close();
  });
});
