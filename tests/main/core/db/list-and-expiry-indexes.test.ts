// Migration 003: the conversation list's urgent-unread flag and retention's unlock catch-up are
// answered from partial indexes rather than by reading every message (the plans are checked,
// not timed: bench/conversation-list.bench.ts has the figures).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { countUnreadFromRows } from '../../../../main/core/db/migrations/014-unread-counts.js';
import { MessagingQueries } from '../../../../main/core/messaging/messaging-queries.js';
import type { OpenProfile } from '../../../../main/core/profile/open-profile.js';
import { RetentionService } from '../../../../main/core/retention/retention-service.js';
import { GP, RECEPTION, enrolledProfile, storeMessage } from '../helpers/clinical-profile.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { makeTempDir, newStore } from '../helpers/temp-profiles.js';

const day = 24 * 60 * 60 * 1000;
const t0 = Date.UTC(2025, 5, 2, 8, 0);

let temp: ReturnType<typeof makeTempDir>;
let profile: OpenProfile;
let clock: FakeClock;
beforeEach(async () => {
  temp = makeTempDir();
  clock = new FakeClock(t0);
  profile = await enrolledProfile(newStore(temp.dir), GP, t0);
});
afterEach(() => {
  profile.close();
  temp.cleanup();
});

function plan(sql: string): string {
  return (profile.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all('x') as { detail: string }[])
    .map((row) => row.detail)
    .join('\n');
}

function incoming(text: string, urgent = false): string {
  const { id } = storeMessage(profile, {
    self: GP,
    peer: RECEPTION,
    sender: RECEPTION,
    text,
    sentAt: t0,
  });
  if (urgent) profile.db.prepare('UPDATE messages SET urgent = 1 WHERE id = ?').run(id);
  return id;
}

describe('conversation list', () => {
  it("keeps each conversation's unread count in step through inserts, reads and deletions", () => {
    const { messages } = profile.repositories;
    const truth = (id: string) =>
      profile.db
        .prepare(
          `SELECT count(*) FROM messages WHERE conversation_id = ?
           AND direction = 'incoming' AND read_at IS NULL`,
        )
        .pluck()
        .get(id);
    const ids = ['one', 'two', 'three', 'four'].map((text) => incoming(text));
    const conversationId = messages.get(ids[0]!)!.conversationId;
    storeMessage(profile, { self: GP, peer: RECEPTION, sender: GP, text: 'mine', sentAt: t0 });
    expect(messages.countUnread(conversationId)).toBe(4);
    messages.markRead([ids[0]!, ids[1]!], t0 + 1);
    messages.markRead([ids[0]!], t0 + 2);
    expect(messages.countUnread(conversationId)).toBe(2);
    messages.delete([ids[1]!, ids[2]!], t0 + 3, 'expired');
    expect(messages.countUnread(conversationId)).toBe(1);
    expect(messages.countUnread(conversationId)).toBe(truth(conversationId));
    // An upgraded profile's counts are filled in by the migration from the rows.
    profile.db.prepare('UPDATE conversations SET unread_count = 0').run();
    profile.db.exec(countUnreadFromRows);
    expect(messages.countUnread(conversationId)).toBe(1);
    profile.repositories.conversations.delete(conversationId);
    expect(messages.countUnread(conversationId)).toBe(0);
  });

  it('flags urgent unread messages from the partial index, and clears the flag when read', () => {
    const queries = new MessagingQueries(profile.db);
    incoming('routine');
    const urgent = incoming('call back now', true);
    const conversationId = profile.repositories.messages.get(urgent)!.conversationId;
    expect(queries.hasUrgentUnread(conversationId)).toBe(true);
    profile.repositories.messages.markRead([urgent], t0 + 1);
    expect(queries.hasUrgentUnread(conversationId)).toBe(false);
    expect(profile.repositories.messages.countUnread(conversationId)).toBe(1);

    expect(
      plan(`SELECT EXISTS (SELECT 1 FROM messages WHERE conversation_id = ?
        AND direction = 'incoming' AND read_at IS NULL AND urgent = 1)`),
    ).toMatch(/USING (COVERING )?INDEX messages_urgent_unread/);
  });
});

describe('retention catch-up on unlock', () => {
  it('finds messages without an expiry through the partial index', () => {
    const update = `UPDATE messages SET expires_at = (SELECT CASE
        WHEN c.disappearing_seconds IS NULL THEN coalesce(received_at, sent_at) + ?
        ELSE 0 END FROM conversations c WHERE c.id = messages.conversation_id)
      WHERE expires_at IS NULL`;
    expect(plan(update)).toMatch(/USING (COVERING )?INDEX messages_without_expiry/);
  });

  it('under an unchanged policy touches only messages without an expiry; a shorter one, all', async () => {
    const start = async (days: number) => {
      const service = new RetentionService({ profile, retentionDays: days, clock });
      await service.start();
      service.stop();
    };
    await start(30);
    const unscheduled = incoming('stored before the policy was recorded');
    profile.db.prepare('UPDATE messages SET expires_at = NULL WHERE id = ?').run(unscheduled);
    // Not possible through the app (expiries never exceed the policy); it shows which rows the
    // unchanged-policy pass reads.
    const far = incoming('far');
    profile.repositories.messages.setExpiry([far], t0 + 365 * day);
    const expiry = (id: string) => profile.repositories.messages.get(id)?.expiresAt;

    await start(30);
    expect(expiry(unscheduled)).toBe(t0 + 1_000 + 30 * day);
    expect(expiry(far)).toBe(t0 + 365 * day);

    await start(7);
    expect(expiry(unscheduled)).toBe(t0 + 1_000 + 7 * day);
    expect(expiry(far)).toBe(t0 + 1_000 + 7 * day);
  });
});
