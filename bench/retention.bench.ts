// Retention benchmark on a real SQLCipher profile holding a month of a busy practice's messages
// (1,500 a day x 30 days): (1) finding the soonest expiry for the single timer, through the
// MessagesRepository.nextExpiry on the partial index vs an unfiltered min() (as it was written before); (2) a sweep deleting one day's expired
// messages including the space reclaim (incremental_vacuum + WAL truncate), against deleting the
// same rows without the reclaim; (3) the catch-up on unlock (policy applied to every stored
// message, then the sweep). Ratios are from the same run.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { KeytarKeychain } from '../main/core/keychain/keytar-keychain.js';
import { createLogger } from '../main/core/log/logger.js';
import type { OpenProfile } from '../main/core/profile/open-profile.js';
import { ProfileStore } from '../main/core/profile/profile-store.js';
import { RetentionService } from '../main/core/retention/retention-service.js';
import type { TimerClock } from '../main/core/time/timer-clock.js';
import { figure } from './figures.js';

const PER_DAY = 1_500;
const DAYS = 30;
const DAY = 24 * 60 * 60 * 1000;
const PASSCODE = 'bench passcode 1';
const root = mkdtempSync(path.join(tmpdir(), 'pmsg-bench-retention-'));
const store = new ProfileStore({
  root,
  keychain: new KeytarKeychain(),
  scrypt: { N: 2 ** 10, r: 8, p: 1 },
  logger: createLogger('bench', { sink: () => undefined }),
});
const t0 = Date.UTC(2025, 0, 1);
let time = t0;
const clock: TimerClock = { now: () => time, setTimeout: () => 0, clearTimeout: () => undefined };

function fill(profile: OpenProfile, days: number): void {
  const { conversations, messages } = profile.repositories;
  const peers = Array.from({ length: 20 }, () => conversations.getOrCreateDirect(randomUUID(), t0));
  const body =
    'Please call Mrs X back about her repeat prescription, she is free after 2pm. '.repeat(2);
  profile.db.transaction(() => {
    for (let d = 0; d < days; d += 1) {
      for (let i = 0; i < PER_DAY; i += 1) {
        const at = t0 + d * DAY + i * 1000;
        const peer = peers[i % peers.length]!;
        messages.insert({
          id: randomUUID(),
          conversationId: peer.id,
          direction: 'incoming',
          senderAccountId: peer.peerAccountId!,
          body,
          status: 'delivered',
          sentAt: at,
          receivedAt: at,
          expiresAt: null,
        });
      }
    }
  })();
}

function timeIt(work: () => void, repeat: number): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < repeat; i += 1) work();
  return Number(process.hrtime.bigint() - start) / 1e6 / repeat;
}

async function main() {
  const profile = await store.create({ label: 'Bench', passcode: PASSCODE });
  fill(profile, DAYS);
  const total = PER_DAY * DAYS;

  // (3) catch-up: 30-day policy applied to all, nothing due yet.
  time = t0 + DAYS * DAY;
  let started = process.hrtime.bigint();
  const service = new RetentionService({ profile, retentionDays: 30, clock });
  await service.start();
  const catchUpMs = Number(process.hrtime.bigint() - started) / 1e6;

  // (1) the soonest expiry.
  const indexed = timeIt(() => profile.repositories.messages.nextExpiry(), 200);
  const unfilteredMin = profile.db.prepare('SELECT min(expires_at) FROM messages').pluck();
  const unfiltered = timeIt(() => unfilteredMin.get(), 20);

  // (2) one day's messages expire: sweep with reclaim.
  time = t0 + 31 * DAY;
  started = process.hrtime.bigint();
  const swept = await service.sweep();
  const sweepMs = Number(process.hrtime.bigint() - started) / 1e6;
  // Baseline: delete the next day's rows the plain way, no reclaim.
  const nextDay = profile.db
    .prepare('SELECT id FROM messages WHERE expires_at <= ?')
    .pluck()
    .all(t0 + 32 * DAY) as string[];
  started = process.hrtime.bigint();
  profile.repositories.messages.delete(nextDay, time, 'expired');
  const plainDeleteMs = Number(process.hrtime.bigint() - started) / 1e6;
  service.stop();
  profile.close();

  console.log(`messages stored: ${total}`);
  figure({
    name: `soonest expiry, partial index vs unfiltered min(), ${total} messages`,
    value: indexed,
    unit: 'ms',
    baseline: unfiltered,
  });
  figure({ name: `unlock catch-up, ${total} messages`, value: catchUpMs, unit: 'ms' });
  figure({
    name: 'expiry sweep incl. reclaim vs plain delete',
    value: sweepMs,
    unit: 'ms',
    baseline: plainDeleteMs,
  });
  console.log(
    `soonest expiry, partial index: ${(indexed * 1000).toFixed(1)} us; unfiltered min(): ${unfiltered.toFixed(2)} ms (x${(unfiltered / indexed).toFixed(0)})`,
  );
  console.log(
    `unlock catch-up (policy applied to ${total} messages, sweep): ${catchUpMs.toFixed(0)} ms`,
  );
  console.log(
    `sweep of ${swept.deleted} expired messages incl. reclaim: ${sweepMs.toFixed(0)} ms; plain delete of ${nextDay.length}: ${plainDeleteMs.toFixed(0)} ms (x${(sweepMs / plainDeleteMs).toFixed(2)})`,
  );
}

main()
  .finally(() => rmSync(root, { recursive: true, force: true }))
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
