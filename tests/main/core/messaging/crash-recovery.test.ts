import { spawn } from 'node:child_process';
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

const child = path.resolve('tests/main/core/messaging/fixtures/queue-and-die.ts');

/**
 * Runs the child until it has queued its messages, then kills it with SIGKILL. One Node process
 * (`--import tsx`), so the SIGKILL ends the process that queued them: tsx's launcher would die
 * alone and leave its child sending, and running.
 */
function queueAndKill(root: string, profileId: string, peer: string, count: number) {
  return new Promise<void>((resolve, reject) => {
    const proc = spawn(
      process.execPath,
      ['--import', 'tsx', child, root, profileId, peer, String(count)],
      {
        env: { ...process.env, PMSG_PASSCODE: PASSCODE },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('queued')) proc.kill('SIGKILL');
    });
    proc.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve();
      else reject(new Error(`child exited ${code}: ${stderr}`));
    });
  });
}

describe('crash recovery', () => {
  it('a client killed right after queuing sends them on restart; the recipient shows each once', async () => {
    const reception = await world.enrol('Reception Desk', 'reception');
    const gp = await world.enrol('Dr A Patel');
    gp.core.start();
    const profileId = reception.profile.id;
    const root = path.dirname(reception.profile.directory);
    reception.close();

    await queueAndKill(root, profileId, gp.accountId, 20);

    await reception.reopen();
    const pendingAfterCrash = reception.profile.repositories.outbox.count();
    expect(reception.texts(gp)).toHaveLength(20);
    reception.core.start();
    await eventually(() => gp.texts(reception).length >= 20, 'all 20 received', 30_000);
    await eventually(() => reception.profile.repositories.outbox.count() === 0, 'outbox empty');
    // Give any duplicate resend time to arrive before checking there is none.
    await new Promise((r) => setTimeout(r, 300));
    const received = gp.texts(reception);
    expect(received).toHaveLength(20);
    expect(new Set(received).size).toBe(20);
    expect([...received].sort()).toEqual(Array.from({ length: 20 }, (_, i) => `crash ${i}`).sort());
    // Something was still waiting when the process died (else the test proves nothing).
    expect(pendingAfterCrash).toBeGreaterThan(0);
  });

  it('messages encrypted as they were queued (a session already open) go out once after a kill, and the sessions stay in step', async () => {
    const reception = await world.enrol('Reception Desk', 'reception');
    const gp = await world.enrol('Dr A Patel');
    gp.core.start();
    reception.core.start();
    // A message each way: both hold a session, so what is queued next is sealed at once.
    const first = await reception.sendTo(gp, 'hello');
    await reception.core.whenSent(first.id);
    await eventually(() => gp.texts(reception).includes('hello'), 'first message');
    await gp.sendTo(reception, 'hello back');
    await eventually(() => reception.texts(gp).includes('hello back'), 'the reply');
    const profileId = reception.profile.id;
    const root = path.dirname(reception.profile.directory);
    reception.close();

    await queueAndKill(root, profileId, gp.accountId, 20);

    await reception.reopen();
    const left = reception.profile.repositories.outbox.all().filter((i) => i.kind === 'message');
    // Something was still waiting, sealed in the transaction that queued it.
    expect(left.length).toBeGreaterThan(0);
    expect(left.every((item) => item.envelopes !== null && item.envelopes.length === 1)).toBe(true);
    reception.core.start();
    const expected = ['hello', ...Array.from({ length: 20 }, (_, i) => `crash ${i}`)];
    await eventually(() => gp.texts(reception).length >= 22, 'all received', 30_000);
    await eventually(() => reception.profile.repositories.outbox.count() === 0, 'outbox empty');
    await new Promise((r) => setTimeout(r, 300));
    const received = gp.texts(reception).filter((t) => t !== 'hello back');
    expect([...received].sort()).toEqual(expected.sort());
    // The conversation goes on both ways on the same sessions.
    await reception.sendTo(gp, 'after the crash');
    await eventually(() => gp.texts(reception).includes('after the crash'), 'next message');
    await gp.sendTo(reception, 'received them');
    await eventually(() => reception.texts(gp).includes('received them'), 'next reply');
  });
});
