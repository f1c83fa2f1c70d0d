import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MessagingViews } from '../../../../main/core/app/messaging-views.js';
import type { OpenProfile } from '../../../../main/core/profile/open-profile.js';
import type { ProfileStore } from '../../../../main/core/profile/profile-store.js';
import { conversationSummarySchema } from '../../../../shared/ipc/view-schemas.js';
import {
  GP,
  MANAGER,
  RECEPTION,
  enrolledProfile,
  storeMessage,
} from '../helpers/clinical-profile.js';
import { PASSCODE, makeTempDir, newStore } from '../helpers/temp-profiles.js';

const t0 = Date.UTC(2025, 2, 3, 9, 0);

let temp: ReturnType<typeof makeTempDir>;
let store: ProfileStore;
let profile: OpenProfile;

beforeEach(async () => {
  temp = makeTempDir();
  store = newStore(temp.dir);
  profile = await enrolledProfile(store, GP, t0);
});

afterEach(() => {
  if (!profile.closed) profile.close();
  temp.cleanup();
});

function summary(conversationId: string) {
  const record = profile.repositories.conversations.get(conversationId);
  if (!record) throw new Error('no such conversation');
  // Through the IPC schema, as main sends it: a field the schema lacks would be stripped.
  return conversationSummarySchema.parse(new MessagingViews(profile).conversation(record));
}

function store3(peer: typeof RECEPTION) {
  return [0, 1, 2].map((i) =>
    storeMessage(profile, { self: GP, peer, sender: peer, text: `note ${i}`, sentAt: t0 + i }),
  );
}

describe('deleted messages in the conversation summary', () => {
  it('counts them per conversation with why, and still does after a lock and unlock', async () => {
    const withReception = store3(RECEPTION);
    const withManager = store3(MANAGER);
    const conversationId = withReception[0]!.conversationId;
    const { messages } = profile.repositories;
    expect(summary(conversationId).deletedMessages).toBeUndefined();

    messages.delete([withReception[0]!.id, withReception[1]!.id], t0 + 10, 'transcribed');
    messages.delete([withReception[2]!.id], t0 + 11, 'sender');
    // Deleting again (the transcription service makes sure) counts nothing twice.
    messages.delete([withReception[0]!.id], t0 + 12, 'transcribed');
    expect(summary(conversationId).deletedMessages).toEqual({
      count: 3,
      reasons: expect.arrayContaining(['transcribed', 'sender']) as unknown,
    });
    expect(summary(conversationId).deletedMessages?.reasons).toHaveLength(2);
    expect(summary(withManager[0]!.conversationId).deletedMessages).toBeUndefined();

    profile.close();
    profile = await store.unlock(profile.id, PASSCODE);
    expect(summary(conversationId).deletedMessages?.count).toBe(3);
  });

  it('does not count the tombstone of a message never stored here', () => {
    const [kept] = store3(RECEPTION);
    profile.repositories.messages.delete(['msg-never-arrived-0001'], t0 + 10, 'sender');
    expect(summary(kept!.conversationId).deletedMessages).toBeUndefined();
  });

  it("is answered from the tombstones' index, not by reading every tombstone", () => {
    const plan = profile.db
      .prepare(
        `EXPLAIN QUERY PLAN SELECT reason, count(*) AS count FROM message_tombstones
          WHERE conversation_id = ? GROUP BY reason`,
      )
      .all('c1') as Array<{ detail: string }>;
    expect(plan.map((row) => row.detail).join('\n')).toMatch(
      /SEARCH message_tombstones USING COVERING INDEX message_tombstones_by_conversation/,
    );
  });
});
