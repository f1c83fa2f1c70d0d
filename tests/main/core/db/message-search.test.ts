import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeytarKeychain } from '../../../../main/core/keychain/keytar-keychain.js';
import {
  MessageSearch,
  INDEX_COMPLETE,
  highlight,
  ftsQuery,
  resetMessageSearch,
} from '../../../../main/core/db/message-search.js';
import { MessageSearchIndexer } from '../../../../main/core/db/message-search-indexer.js';
import { createLogger } from '../../../../main/core/log/logger.js';
import type { OpenProfile } from '../../../../main/core/profile/open-profile.js';
import type { ProfileStore } from '../../../../main/core/profile/profile-store.js';
import { reclaimSpace } from '../../../../main/core/retention/reclaim-space.js';
import { RetentionService } from '../../../../main/core/retention/retention-service.js';
import {
  GP,
  MANAGER,
  RECEPTION,
  enrolledProfile,
  storeMessage,
} from '../helpers/clinical-profile.js';
import { filesWithDecryptedText, profileKey } from '../helpers/decrypted-pages.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { PASSCODE, makeTempDir, newStore } from '../helpers/temp-profiles.js';

const day = 24 * 60 * 60 * 1000;
const t0 = Date.UTC(2025, 5, 2, 8, 0);
const silent = createLogger('test', { sink: () => undefined });

let temp: ReturnType<typeof makeTempDir>;
let store: ProfileStore;
let clock: FakeClock;
let profile: OpenProfile;

beforeEach(async () => {
  temp = makeTempDir();
  clock = new FakeClock(t0);
  store = newStore(temp.dir, { now: () => clock.now() });
  profile = await enrolledProfile(store, GP, t0);
});

afterEach(() => {
  if (!profile.closed) profile.close();
  temp.cleanup();
});

function say(text: string, sentAt = t0, peer = RECEPTION, expiresAt: number | null = null) {
  return storeMessage(profile, { self: GP, peer, sender: peer, text, sentAt, expiresAt });
}

/** FTS5's own check that the index matches the messages table exactly (rank 1: content too). */
function indexIsConsistent(p: OpenProfile): void {
  p.db.exec(`INSERT INTO message_search (message_search, rank) VALUES ('integrity-check', 1)`);
}

function matches(p: OpenProfile, term: string): number {
  return p.db
    .prepare('SELECT count(*) FROM message_search WHERE message_search MATCH ?')
    .pluck()
    .get(ftsQuery(term)) as number;
}

describe('message search (FTS5 in the profile database)', () => {
  it('finds the newest matching message per conversation, by word prefixes, with the matches marked', async () => {
    await completeIndex(profile);
    say('Please call back Mrs Example about her blood test', t0);
    const newest = say('The bloods are back: blood test normal, no action', t0 + 60_000);
    const other = say('Café meeting at 2pm, bring the rota', t0, MANAGER);
    say('Nothing relevant here', t0 + 120_000);
    const hits = new MessageSearch(profile.db).search('blood TE');
    expect([...hits.keys()]).toEqual([newest.conversationId]);
    const hit = hits.get(newest.conversationId)!;
    expect(hit.messageId).toBe(newest.id);
    // The last word as a prefix ('TE' finds 'test'), the others whole ('blood', not 'bloods').
    expect(hit.excerpt.filter((p) => p.match).map((p) => p.text)).toEqual(['blood', 'test']);
    expect(hit.excerpt.map((p) => p.text).join('')).toBe(
      'The bloods are back: blood test normal, no action',
    );
    // Diacritics and case folded; words in any order.
    expect(new MessageSearch(profile.db).search('cafe').get(other.conversationId)?.messageId).toBe(
      other.id,
    );
    expect(new MessageSearch(profile.db).search('rota MEETING').size).toBe(1);
    expect(new MessageSearch(profile.db).search('blood rota').size).toBe(0);
  });

  it('finds the latest match of every conversation when one conversation has hundreds of newer ones', async () => {
    await completeIndex(profile);
    const older = say('chart review for the manager', t0, MANAGER);
    say('no match in this one', t0, GP);
    const many = profile.db.transaction(() =>
      Array.from({ length: 450 }, (_, i) => say(`chart review ${i}`, t0 + 1_000 + i)),
    )();
    const hits = new MessageSearch(profile.db).search('chart rev');
    expect(hits.size).toBe(2);
    expect(hits.get(older.conversationId)?.messageId).toBe(older.id);
    expect(hits.get(many[449]!.conversationId)?.messageId).toBe(many[449]!.id);
  });

  it('finds the latest match of a conversation whose newest thousands of messages do not match', async () => {
    await completeIndex(profile);
    const older = say('chart review for the manager', t0, MANAGER);
    profile.db.transaction(() => {
      for (let i = 0; i < 2_500; i++) say(`nothing here ${i}`, t0 + 1_000 + i, MANAGER);
    })();
    const many = profile.db.transaction(() =>
      Array.from({ length: 450 }, (_, i) => say(`chart review ${i}`, t0 + 1_000 + i)),
    )();
    const hits = new MessageSearch(profile.db).search('chart rev');
    expect(hits.size).toBe(2);
    expect(hits.get(older.conversationId)?.messageId).toBe(older.id);
    expect(hits.get(many[449]!.conversationId)?.messageId).toBe(many[449]!.id);
  });

  it('treats everything typed as words, never as FTS5 syntax', async () => {
    await completeIndex(profile);
    say('Review NEAR the end of clinic: "urgent" body* tests');
    const search = new MessageSearch(profile.db);
    for (const typed of ['NEAR(', '"urgent', 'body:', '*', 'AND', 'a OR', '-', '^x', '(']) {
      expect(() => search.search(typed)).not.toThrow();
    }
    expect(search.search('"urgent"').size).toBe(1);
    expect(search.search('body*').size).toBe(1);
    expect(ftsQuery('  ')).toBeNull();
    expect(ftsQuery('a "b" c')).toBe('"a" """b""" "c"*');
  });

  it('highlights the words that match a searched prefix, as plain-text parts', () => {
    expect(highlight('Call  <b>Mrs</b> Émile back, bloods due', ['emile', 'blood'])).toEqual([
      { text: 'Call <b>Mrs</b> ', match: false },
      { text: 'Émile', match: true },
      { text: ' back, ', match: false },
      { text: 'bloods', match: true },
      { text: ' due', match: false },
    ]);
    const long = `${'filler '.repeat(30)}referral ${'more '.repeat(40)}`;
    const parts = highlight(long, ['referral']);
    expect(parts[0]).toEqual({ text: '…', match: false });
    expect(parts.at(-1)).toEqual({ text: '…', match: false });
    expect(parts.filter((p) => p.match)).toEqual([{ text: 'referral', match: true }]);
    expect(parts.map((p) => p.text).join('').length).toBeLessThanOrEqual(122);
  });

  it('keeps the index in step with inserts, updates and deletions (FTS5 integrity check)', async () => {
    await completeIndex(profile);
    const a = say('alpha bravo');
    const b = say('charlie delta');
    profile.db.prepare('UPDATE messages SET body = ? WHERE id = ?').run('echo foxtrot', a.id);
    indexIsConsistent(profile);
    expect(matches(profile, 'alpha')).toBe(0);
    expect(matches(profile, 'echo')).toBe(1);
    profile.repositories.messages.delete([b.id], t0, 'sender');
    indexIsConsistent(profile);
    expect(matches(profile, 'charlie')).toBe(0);
    // A whole conversation removed (ON DELETE CASCADE) takes its messages out of the index too.
    profile.db.prepare('DELETE FROM conversations WHERE id = ?').run(a.conversationId);
    indexIsConsistent(profile);
    expect(matches(profile, 'echo')).toBe(0);
  });

  it('builds the index of an upgraded profile in slices, searching the rest meanwhile', async () => {
    const ids = Array.from({ length: 25 }, (_, i) => say(`referral letter ${i}`, t0 + i).id);
    // As a profile from before the index: nothing indexed, the pass still to run.
    resetMessageSearch(profile.db);
    const search = new MessageSearch(profile.db);
    expect(search.indexedUpTo()).toBe(0);
    expect(matches(profile, 'referral')).toBe(0);
    // Found through the scan of unindexed messages, highlighted too.
    const before = search.search('referral');
    expect([...before.values()].map((h) => h.messageId)).toEqual([ids[24]]);
    expect(before.values().next().value?.excerpt).toContainEqual({ text: 'referral', match: true });

    const indexer = new MessageSearchIndexer({
      db: profile.db,
      logger: silent,
      sliceSize: 10,
      pauseMs: 1,
    });
    indexer.start();
    // Messages arriving while the pass runs are indexed exactly once (by the pass or the trigger).
    let during = 0;
    const arriving = setInterval(() => {
      if (during === 40) return;
      during += 1;
      say(`referral arrived mid-pass ${during}`, t0 + 100 + during);
    }, 1);
    await indexer.whenDone();
    clearInterval(arriving);
    say('referral after the pass', t0 + 200);
    expect(search.indexedUpTo()).toBe(INDEX_COMPLETE);
    indexIsConsistent(profile);
    expect(during).toBeGreaterThan(0);
    expect(matches(profile, 'referral')).toBe(26 + during);
    expect(search.search('referral').get(before.keys().next().value!)?.excerpt).toContainEqual({
      text: 'referral',
      match: true,
    });
  });

  it('a new profile needs no pass: its index is complete as soon as the pass looks', async () => {
    const indexer = new MessageSearchIndexer({ db: profile.db, logger: silent });
    indexer.start();
    await indexer.whenDone();
    expect(new MessageSearch(profile.db).indexedUpTo()).toBe(INDEX_COMPLETE);
    say('first message');
    expect(matches(profile, 'first')).toBe(1);
  });
});

describe('deleted text is not in the search index', () => {
  it('after retention, delete-for-everyone and transcription, no decrypted page holds the indexed term', async () => {
    await completeIndex(profile);
    // Upper case in the message, lower case in the index: finding the lower-case term in a
    // decrypted page means the index holds it, not the messages table.
    // Each term starts with its own letter: the index stores a term after the one before it
    // minus their common prefix, so terms sharing a start would not appear whole in a page.
    const stamp = Date.now();
    const initial: Record<string, string> = { expired: 'f', recalled: 'g', transcribed: 'h' };
    const term = (what: string) => `${initial[what]}qz${what}${stamp}`;
    const expired: string[] = [];
    const kept: string[] = [];
    for (let i = 0; i < 30; i += 1) {
      expired.push(
        say(`${term('expired').toUpperCase()} ${i} ${'x'.repeat(200)}`, t0, RECEPTION, t0 + day).id,
      );
      kept.push(say(`kept ${i} ${'y'.repeat(200)}`, t0 + 20 * day).id);
    }
    const recalled = say(`${term('recalled').toUpperCase()} please ignore`, t0);
    const transcribed = say(`${term('transcribed').toUpperCase()} bloods`, t0);
    profile.close();
    const key = await profileKey(new KeytarKeychain(), profile.directory, profile.id, PASSCODE);
    for (const what of ['expired', 'recalled', 'transcribed']) {
      expect(filesWithDecryptedText(key, profile.directory, term(what)).length).toBeGreaterThan(0);
    }

    profile = await store.unlock(profile.id, PASSCODE);
    expect(matches(profile, term('expired'))).toBe(30);
    clock.set(t0 + 2 * day);
    const retention = new RetentionService({ profile, retentionDays: null, clock });
    expect((await retention.start()).deleted).toBe(30);
    retention.stop();
    profile.repositories.messages.delete([recalled.id], t0 + 2 * day, 'sender');
    profile.repositories.messages.delete([transcribed.id], t0 + 2 * day, 'transcribed');
    reclaimSpace(profile.db);

    for (const what of ['expired', 'recalled', 'transcribed']) {
      expect(matches(profile, term(what))).toBe(0);
      expect(filesWithDecryptedText(key, profile.directory, term(what))).toEqual([]);
    }
    expect(matches(profile, 'kept')).toBe(30);
    indexIsConsistent(profile);
    profile.close();
    for (const what of ['expired', 'recalled', 'transcribed']) {
      expect(filesWithDecryptedText(key, profile.directory, term(what))).toEqual([]);
    }
  });

  it('a VACUUM (converting an old profile) restarts the index, and the pass rebuilds it', async () => {
    await completeIndex(profile);
    say('vacuum survivor');
    profile.db.pragma('auto_vacuum = NONE');
    profile.db.exec('VACUUM');
    const retention = new RetentionService({ profile, retentionDays: null, clock });
    await retention.start();
    retention.stop();
    expect(new MessageSearch(profile.db).indexedUpTo()).toBe(0);
    expect(new MessageSearch(profile.db).search('survivor').size).toBe(1);
    await completeIndex(profile);
    indexIsConsistent(profile);
    expect(matches(profile, 'survivor')).toBe(1);
  });
});

async function completeIndex(p: OpenProfile): Promise<void> {
  const indexer = new MessageSearchIndexer({ db: p.db, logger: silent, pauseMs: 0 });
  indexer.start();
  await indexer.whenDone();
}
