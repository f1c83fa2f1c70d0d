import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PASSCODE } from '../helpers/temp-profiles.js';
import { createWorld, eventually, type World } from './messaging-harness.js';

let world: World;
beforeEach(async () => {
  world = await createWorld();
});
afterEach(async () => {
  await world.cleanup();
});

const child = path.resolve('tests/main/core/messaging/fixtures/transfer-and-die.ts');
const chunks = 20;

function photo(): Buffer {
  const bytes = randomBytes((chunks - 1) * 512 * 1024 + 10);
  bytes.set([0xff, 0xd8, 0xff, 0xe0], 0);
  return bytes;
}

/** Chunk files of every blob the relay holds. */
function relayChunks(): number {
  const root = path.join(world.relay.dataDir, 'blobs');
  if (!existsSync(root)) return 0;
  return readdirSync(root).reduce(
    (sum, id) => sum + readdirSync(path.join(root, id)).filter((f) => f.endsWith('.chunk')).length,
    0,
  );
}

/**
 * Runs the child (one Node process, `--import tsx`) until it says the transfer is mid-way, then
 * kills it with SIGKILL: no shutdown code runs, as when the machine loses power.
 */
function transferAndKill(args: string[]) {
  return new Promise<void>((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, ...args], {
      env: { ...process.env, PMSG_PASSCODE: PASSCODE },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('midway')) proc.kill('SIGKILL');
    });
    proc.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve();
      else reject(new Error(`child exited ${code}: ${stderr}`));
    });
  });
}

describe('attachment transfers killed mid-way', () => {
  it('a sender killed mid-upload carries on after restart; the recipient gets the identical file', async () => {
    const gp = await world.enrol('Dr A Patel');
    const nurse = await world.enrol('Nurse B Jones', 'nurse');
    const bytes = photo();
    const file = path.join(world.relay.dataDir, '..', 'wound.jpg');
    writeFileSync(file, bytes);
    const root = path.dirname(gp.profile.directory);
    gp.close();

    await transferAndKill([root, gp.profile.id, 'send', nurse.accountId, file]);

    const heldAtCrash = relayChunks();
    expect(heldAtCrash).toBeGreaterThan(0);
    expect(heldAtCrash).toBeLessThan(chunks);
    await gp.reopen();
    const [sending] = gp.profile.repositories.attachments.inState('uploading');
    expect(sending?.relayId).not.toBeNull();
    gp.core.start({ receive: false });
    expect((await gp.core.attachments.whenSettled(sending!.messageId)).state).toBe('uploaded');
    // One blob, resumed: the upload after the restart went on under the same relay id.
    expect(readdirSync(path.join(world.relay.dataDir, 'blobs'))).toEqual([sending!.relayId]);

    nurse.core.start();
    await eventually(
      () => nurse.profile.repositories.attachments.get(sending!.messageId) !== null,
      'the message with the key',
    );
    expect((await nurse.core.attachments.whenSettled(sending!.messageId)).state).toBe('ready');
    expect(nurse.core.attachments.read(sending!.messageId).bytes.equals(bytes)).toBe(true);
  });

  it('a recipient killed mid-download carries on after restart from the chunks it kept', async () => {
    const gp = await world.enrol('Dr A Patel');
    const nurse = await world.enrol('Nurse B Jones', 'nurse');
    gp.core.start({ receive: false });
    const bytes = photo();
    const conversation = await gp.core.openDirect(nurse.accountId);
    const sent = await gp.core.attachments.send(conversation.id, {
      bytes,
      name: 'wound.jpg',
      maxBytes: 25 * 1_048_576,
    });
    expect((await gp.core.attachments.whenSettled(sent.id)).state).toBe('uploaded');
    await eventually(() => gp.profile.repositories.outbox.count() === 0, 'the message sent');
    const root = path.dirname(nurse.profile.directory);
    nurse.close();

    await transferAndKill([root, nurse.profile.id, 'receive', gp.accountId]);

    await nurse.reopen();
    const kept = nurse.profile.repositories.attachments.storedIndexes(sent.id);
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(chunks);
    expect(nurse.profile.repositories.attachments.get(sent.id)?.state).toBe('downloading');
    nurse.core.start();
    expect((await nurse.core.attachments.whenSettled(sent.id)).state).toBe('ready');
    expect(nurse.core.attachments.read(sent.id).bytes.equals(bytes)).toBe(true);
    // Every recipient device has it now: the relay deletes the blob.
    await eventually(() => relayChunks() === 0, 'the blob deleted after the fetch');
  });
});
