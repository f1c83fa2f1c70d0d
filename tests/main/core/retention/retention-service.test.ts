import { statSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeytarKeychain } from '../../../../main/core/keychain/keytar-keychain.js';
import type { OpenProfile } from '../../../../main/core/profile/open-profile.js';
import type { ProfileStore } from '../../../../main/core/profile/profile-store.js';
import {
  RetentionService,
  type DeletedMessages,
} from '../../../../main/core/retention/retention-service.js';
import { maxTimerDelayMs } from '../../../../main/core/time/timer-clock.js';
import { GP, RECEPTION, enrolledProfile, storeMessage } from '../helpers/clinical-profile.js';
import { filesWithDecryptedText, profileKey } from '../helpers/decrypted-pages.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { PASSCODE, makeTempDir, newStore } from '../helpers/temp-profiles.js';

const day = 24 * 60 * 60 * 1000;
const t0 = Date.UTC(2025, 5, 2, 8, 0);

let temp: ReturnType<typeof makeTempDir>;
let store: ProfileStore;
let clock: FakeClock;
let profile: OpenProfile;
const open: RetentionService[] = [];

beforeEach(async () => {
  temp = makeTempDir();
  clock = new FakeClock(t0);
  store = newStore(temp.dir, { now: () => clock.now() });
  profile = await enrolledProfile(store, GP, t0);
});

afterEach(() => {
  for (const service of open.splice(0)) service.stop();
  if (!profile.closed) profile.close();
  temp.cleanup();
});

function retention(
  p: OpenProfile,
  retentionDays: number | null,
  onDeleted?: (d: readonly DeletedMessages[]) => void,
) {
  const service = new RetentionService({
    profile: p,
    retentionDays,
    clock,
    ...(onDeleted ? { onDeleted } : {}),
  });
  open.push(service);
  return service;
}

function say(p: OpenProfile, text: string, sentAt: number, expiresAt: number | null = null) {
  return storeMessage(p, { self: GP, peer: RECEPTION, sender: RECEPTION, text, sentAt, expiresAt });
}

describe('retention across an app restart', () => {
  it('deletes on unlock what expired while the app was closed, and the text is gone from the files', async () => {
    const marker = `CALLBACK-MRS-X-${Date.now()}`;
    // Expired and kept messages interleaved, so deleted rows share pages with rows that stay:
    // only secure_delete clears those; incremental_vacuum can only drop whole free pages.
    const old: Array<{ id: string; conversationId: string }> = [];
    const kept: Array<{ id: string; conversationId: string }> = [];
    for (let i = 0; i < 40; i += 1) {
      old.push(say(profile, `${marker} old ${i} ${'x'.repeat(300)}`, t0));
      kept.push(say(profile, `recent ${i} ${'y'.repeat(300)}`, t0 + 20 * day));
    }
    const recent = kept[0]!;
    expect((await retention(profile, 30).start()).deleted).toBe(0);
    expect(profile.repositories.messages.get(old[0]!.id)?.expiresAt).toBe(t0 + 1_000 + 30 * day);
    profile.close();

    // The marker is really in the database (decrypted), so the search below can find it.
    const key = await profileKey(new KeytarKeychain(), profile.directory, profile.id, PASSCODE);
    expect(filesWithDecryptedText(key, profile.directory, marker)).toEqual(['profile.db']);

    clock.set(t0 + 31 * day);
    profile = await store.unlock(profile.id, PASSCODE);
    const deletedEvents: DeletedMessages[] = [];
    const result = await retention(profile, 30, (d) => deletedEvents.push(...d)).start();
    expect(result.deleted).toBe(40);
    expect(deletedEvents).toEqual([
      {
        conversationId: old[0]!.conversationId,
        messageIds: old.map((m) => m.id),
        reason: 'expired',
      },
    ]);
    const { messages, audit } = profile.repositories;
    expect(old.every((m) => messages.get(m.id) === null && messages.wasDeleted(m.id))).toBe(true);
    expect(kept.every((m) => messages.get(m.id) !== null)).toBe(true);
    expect(messages.get(recent.id)?.body).toMatch(/^recent 0 /);
    // Audited with the message ids (never the text), one entry per conversation and reason.
    expect(audit.list()[0]).toMatchObject({
      action: 'retention.expired_deleted',
      messageIds: old.map((m) => m.id),
      details: { reason: 'expired', count: 40, untranscribedAdvice: 0 },
    });

    // WAL truncated, free pages given back, and no decrypted page of either file holds the text.
    expect(statSync(`${profile.databaseFile}-wal`).size).toBe(0);
    expect(profile.db.pragma('freelist_count', { simple: true })).toBe(0);
    expect(filesWithDecryptedText(key, profile.directory, marker)).toEqual([]);
    profile.close();
    expect(filesWithDecryptedText(key, profile.directory, marker)).toEqual([]);
  });
});

describe('the single retention timer', () => {
  it('fires at the soonest expiry while open and deletes just that message', async () => {
    const conversation = profile.repositories.conversations.getOrCreateDirect(
      RECEPTION.accountId,
      t0,
    );
    profile.repositories.conversations.setDisappearingSeconds(conversation.id, 60);
    const service = retention(profile, 30);
    await service.start();
    expect(service.armedFor()).toBeNull();

    const soon = say(profile, 'disappears', t0);
    const later = say(profile, 'stays a month', t0, t0 + 30 * day);
    service.reschedule();
    // Stored without an expiry: the disappearing timer (from receipt) is sooner than retention.
    expect(profile.repositories.messages.get(soon.id)?.expiresAt).toBe(t0 + 1_000 + 60_000);
    expect(service.armedFor()).toBe(t0 + 61_000);
    expect(clock.pending()).toBe(1);

    clock.advance(60_999);
    await service.sweep();
    expect(profile.repositories.messages.get(soon.id)).not.toBeNull();
    clock.advance(1);
    await service.sweep();
    expect(profile.repositories.messages.get(soon.id)).toBeNull();
    expect(profile.repositories.messages.get(later.id)).not.toBeNull();
    expect(service.armedFor()).toBe(t0 + 30 * day);
    expect(clock.pending()).toBe(1);
  });

  it('clamps a far expiry to the setTimeout limit and re-arms when woken early', async () => {
    const far = say(profile, 'far', t0, t0 + 100 * day);
    const service = retention(profile, null);
    await service.start();
    expect(clock.delays.at(-1)).toBe(maxTimerDelayMs);
    clock.advance(maxTimerDelayMs);
    await service.sweep();
    expect(profile.repositories.messages.get(far.id)).not.toBeNull();
    expect(clock.delays.at(-1)).toBe(maxTimerDelayMs);
    // Woken early three times (100 days > 4 x 24.8), then armed for exactly the rest.
    for (let i = 0; i < 3; i += 1) {
      clock.advance(maxTimerDelayMs);
      await service.sweep();
    }
    expect(clock.delays.at(-1)).toBe(t0 + 100 * day - clock.now());
    expect(clock.delays.at(-1)).toBeLessThan(maxTimerDelayMs);
    clock.advance(t0 + 100 * day - clock.now());
    await service.sweep();
    expect(profile.repositories.messages.get(far.id)).toBeNull();
    expect(clock.delays.every((d) => d <= maxTimerDelayMs)).toBe(true);
  });

  it('stops with the profile: no timer left behind', async () => {
    say(profile, 'x', t0, t0 + day);
    const service = retention(profile, null);
    await service.start();
    expect(clock.pending()).toBe(1);
    service.stop();
    expect(clock.pending()).toBe(0);
  });
});

describe('space reclaim', () => {
  it('creates profiles with incremental auto-vacuum, and converts an older profile once', async () => {
    expect(profile.db.pragma('auto_vacuum', { simple: true })).toBe(2);
    profile.db.pragma('auto_vacuum = NONE');
    profile.db.exec('VACUUM');
    expect(profile.db.pragma('auto_vacuum', { simple: true })).toBe(0);
    await retention(profile, 30).start();
    expect(profile.db.pragma('auto_vacuum', { simple: true })).toBe(2);
  });
});

describe('expiry times', () => {
  it('applies a shorter policy to stored messages but never postpones an earlier expiry', async () => {
    const longLived = say(profile, 'a', t0, t0 + 365 * day);
    const transcribed = say(profile, 'b', t0, t0 + 2 * 60_000);
    const unscheduled = say(profile, 'c', t0);
    await retention(profile, 7).start();
    const { messages } = profile.repositories;
    expect(messages.get(longLived.id)?.expiresAt).toBe(t0 + 1_000 + 7 * day);
    expect(messages.get(transcribed.id)?.expiresAt).toBe(t0 + 2 * 60_000);
    expect(messages.get(unscheduled.id)?.expiresAt).toBe(t0 + 1_000 + 7 * day);
  });

  it('applies a new policy after start returns, in slices, and again at the next unlock if cut short', async () => {
    // More than one slice (2,000 messages each), all stored before any policy was recorded.
    const stored = profile.db.transaction(() =>
      Array.from({ length: 4_100 }, (_, i) => say(profile, `m ${i}`, t0 + i)),
    )();
    const { messages } = profile.repositories;
    const first = stored[0]!;
    const last = stored.at(-1)!;
    const cut = retention(profile, 7);
    const cutShort = cut.start();
    // Unlock goes on to the list: nothing was updated before start returned.
    expect(messages.get(first.id)?.expiresAt).toBeNull();
    cut.stop();
    await cutShort;
    expect(messages.get(last.id)?.expiresAt).toBeNull();
    // The policy was not recorded as applied, so the next start does the whole pass.
    await retention(profile, 7).start();
    expect(messages.get(first.id)?.expiresAt).toBe(t0 + 1_000 + 7 * day);
    expect(messages.get(last.id)?.expiresAt).toBe(t0 + 4_099 + 1_000 + 7 * day);
  });

  it('waits for catchUpAfter before a catch-up of several slices, having swept what was due', async () => {
    const due = say(profile, 'due', t0, t0 + 60_000);
    // More than one slice (1,000 messages each).
    const [unscheduled] = profile.db.transaction(() =>
      Array.from({ length: 1_100 }, (_, i) => say(profile, `m ${i}`, t0 + i)),
    )();
    clock.set(t0 + 2 * 60_000);
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const service = new RetentionService({
      profile,
      retentionDays: 7,
      clock,
      catchUpAfter: () => gate,
    });
    const started = service.start();
    const { messages } = profile.repositories;
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Overdue already: gone before the list is even asked for.
    expect(messages.get(due.id)).toBeNull();
    // The catch-up has not touched the stored messages yet.
    expect(messages.get(unscheduled!.id)?.expiresAt).toBeNull();
    open();
    await started;
    expect(messages.get(unscheduled!.id)?.expiresAt).toBe(t0 + 1_000 + 7 * day);
    service.stop();
  });

  it('keeps messages without a policy or timer', async () => {
    const kept = say(profile, 'kept', t0);
    const service = retention(profile, null);
    await service.start();
    clock.advance(3650 * day);
    await service.sweep();
    expect(profile.repositories.messages.get(kept.id)?.expiresAt).toBeNull();
    expect(service.armedFor()).toBeNull();
  });

  it('computes the expiry of a new message from the sooner of policy and timer', async () => {
    const conversation = profile.repositories.conversations.getOrCreateDirect(
      RECEPTION.accountId,
      t0,
    );
    const service = retention(profile, 30);
    expect(service.expiryForNewMessage(conversation.id, t0)).toBe(t0 + 30 * day);
    profile.repositories.conversations.setDisappearingSeconds(conversation.id, 3600);
    expect(service.expiryForNewMessage(conversation.id, t0)).toBe(t0 + 3600_000);
  });
});
