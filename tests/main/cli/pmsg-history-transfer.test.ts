import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRelay, type TestRelay } from '../../server/test-relay.js';
import { makeTempDir } from '../core/helpers/temp-profiles.js';
import { cliPasscode, pmsg } from './pmsg-process.js';

// Issue 13: a newly linked PC receives the recent history from the PC that approved it, end to
// end encrypted through the relay, in chunks; SIGKILL of the sender and then of the receiver in
// the middle of the transfer loses nothing and stores nothing twice. Real processes, real relay.

let relay: TestRelay;
let temp: ReturnType<typeof makeTempDir>;
beforeAll(async () => {
  relay = await startTestRelay();
  temp = makeTempDir('pmsg-cli-history-');
});
afterAll(async () => {
  await relay.stop();
  temp.cleanup();
});

const entry = path.resolve('tests/main/cli/pmsg-client.ts');

/** `pmsg client receive` left running, to be killed with SIGKILL. */
function receiving(dir: string, seconds: number) {
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', entry, 'receive', '--profile', dir, '--timeout', String(seconds)],
    { env: { ...process.env, PMSG_PASSCODE: cliPasscode }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return { proc, exited };
}

/** Envelopes the relay holds for one device of an account. */
async function queuedFor(accountId: string, deviceId: number): Promise<number> {
  const accounts = await relay.relay.storage.listAllAccounts();
  const device = accounts
    .find((a) => a.accountId === accountId)
    ?.devices.find((d) => d.deviceId === deviceId);
  return device?.queued ?? 0;
}

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

// Long messages, so the history needs several chunks (about 24,000 characters each).
const text = (n: number) =>
  `Message ${n}: ` + 'the patient asked about the results again. '.repeat(230);

describe('history transfer to a newly linked PC', () => {
  it('survives SIGKILL of the sender and of the receiver; every message arrives once', async () => {
    const room4 = path.join(temp.dir, 'room-4');
    const room7 = path.join(temp.dir, 'room-7');
    const desk = path.join(temp.dir, 'desk');
    const gp = await relay.relay.enrol({ displayName: 'Dr A Patel', role: 'clinician' });
    const reception = await relay.relay.enrol({ displayName: 'Reception', role: 'reception' });
    const enrol = (dir: string, code: string, name: string) =>
      pmsg([
        'enrol',
        '--profile',
        dir,
        '--server',
        relay.relay.url,
        '--code',
        code,
        '--device-name',
        name,
      ]);
    expect((await enrol(room4, gp.code, 'Room 4 PC')).code).toBe(0);
    expect((await enrol(desk, reception.code, 'Front desk')).code).toBe(0);

    const expected: { direction: string; text: string }[] = [];
    for (let n = 1; n <= 5; n += 1) {
      const sent = await pmsg(['send', '--profile', desk, '--to', gp.accountId, '--text', text(n)]);
      expect(sent.code, sent.stderr).toBe(0);
      expected.push({ direction: 'incoming', text: text(n) });
    }
    expect((await pmsg(['receive', '--profile', room4, '--timeout', '1'])).code).toBe(0);
    for (const reply of ['I will ring them after surgery.', 'Done: results explained.']) {
      const sent = await pmsg([
        'send',
        '--profile',
        room4,
        '--to',
        reception.accountId,
        '--text',
        reply,
      ]);
      expect(sent.code, sent.stderr).toBe(0);
      expected.push({ direction: 'outgoing', text: reply });
    }

    // Link Room 7 PC; approving it queues the history on Room 4.
    const made = await pmsg(['link', '--profile', room4]);
    const { code } = JSON.parse(made.stdout) as { code: string };
    const joining = pmsg([
      'enrol',
      '--profile',
      room7,
      '--server',
      relay.relay.url,
      '--link-code',
      code,
      '--device-name',
      'Room 7 PC',
    ]);
    const approved = await pmsg(['link', '--profile', room4, '--approve']);
    expect(approved.code, approved.stderr).toBe(0);
    expect((await joining).code).toBe(0);

    // The sender is killed once the first chunk reached the relay.
    const sender = receiving(room4, 30);
    expect(await until(async () => (await queuedFor(gp.accountId, 2)) > 0, 120_000)).toBe(true);
    sender.proc.kill('SIGKILL');
    expect(await sender.exited).toBeNull();
    const finished = await pmsg(['receive', '--profile', room4, '--timeout', '3']);
    expect(finished.code, finished.stderr).toBe(0);
    const queued = await queuedFor(gp.accountId, 2);
    expect(queued).toBeGreaterThanOrEqual(3);

    // The receiver is killed once it has acknowledged some of them, not all.
    const receiver = receiving(room7, 30);
    await until(async () => (await queuedFor(gp.accountId, 2)) < queued, 120_000);
    receiver.proc.kill('SIGKILL');
    expect(await receiver.exited).toBeNull();
    const rest = await pmsg(['receive', '--profile', room7, '--timeout', '3']);
    expect(rest.code, rest.stderr).toBe(0);
    expect(await queuedFor(gp.accountId, 2)).toBe(0);

    const history = await pmsg(['history', '--profile', room7, '--with', reception.accountId]);
    expect(history.code, history.stderr).toBe(0);
    const lines = history.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { direction: string; text: string; from: string });
    expect(lines.map((l) => ({ direction: l.direction, text: l.text }))).toEqual(expected);
    expect(
      lines.filter((l) => l.direction === 'outgoing').every((l) => l.from === gp.accountId),
    ).toBe(true);
  }, 540_000);
});
