// `npm run bench conversation-list`: the core's side of "unlock -> conversation list" on a real
// SQLCipher profile (real keychain) holding 100,000 messages in 50 conversations, shaped like
// bench/renderer.bench.ts (two thirds incoming and unread, 1 in 97 urgent). Measured in the same
// run: the same steps on an empty profile, and the list as it was first written (a count of
// urgent unread messages per conversation, read through the unread index from the table rows).
// Steps timed: unlock (KDF at the cheap bench cost), retention start (it returns before its
// catch-up pass, which runs in slices after the list and is timed apart), `conversations.list` as the IPC handler runs it (MessagingViews.conversations), and a search.
// The first unlock after seeding is shown apart: it gives every seeded message its expiry once.
// Then, on the 10,000-message conversation: marking its 6,667 unread messages read
// (OutgoingActions.markRead, in slices, against the one transaction of per-message statements it
// replaced), and `messages.page` of 200 (MessagingViews.messages against a view per message).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MessagingViews } from '../main/core/app/messaging-views.js';
import { KeytarKeychain } from '../main/core/keychain/keytar-keychain.js';
import { createLogger } from '../main/core/log/logger.js';
import type { OpenProfile } from '../main/core/profile/open-profile.js';
import { ProfileStore } from '../main/core/profile/profile-store.js';
import { RetentionService } from '../main/core/retention/retention-service.js';
import { MessageSearch } from '../main/core/db/message-search.js';
import { MessageSearchIndexer } from '../main/core/db/message-search-indexer.js';
import { MessagingQueries } from '../main/core/messaging/messaging-queries.js';
import { OutgoingActions } from '../main/core/messaging/outgoing-actions.js';
import type { CoreContext } from '../main/core/messaging/core-context.js';
import { encodeContent, type Content } from '../main/core/messaging/content-codec.js';
import { newMessageId } from '../main/core/messaging/message-ids.js';
import { figure } from './figures.js';

const total = 100_000;
const conversationCount = 50;
const bigConversation = 10_000;
const batchSize = 5_000;
const retentionDays = 30;
const unlocks = 5;
const passcode = 'bench passcode 1';
const silent = createLogger('bench', { sink: () => undefined });

const root = mkdtempSync(path.join(tmpdir(), 'pmsg-bench-list-'));
const store = new ProfileStore({
  root,
  keychain: new KeytarKeychain(),
  scrypt: { N: 2 ** 10, r: 8, p: 1 },
  logger: silent,
});

function seed(profile: OpenProfile, withMessages: boolean): void {
  const { conversations, messages } = profile.repositories;
  // Recent, so the 30-day retention deletes nothing at unlock.
  const start = Date.now() - 8 * 24 * 3600_000;
  const perOther = Math.floor((total - bigConversation) / (conversationCount - 1));
  for (let c = 0; c < conversationCount; c++) {
    const peer = `bench-peer-${c}`;
    const conversation = conversations.getOrCreateDirect(peer, start);
    const count = !withMessages ? 0 : c === 0 ? bigConversation : perOther;
    for (let from = 0; from < count; from += batchSize) {
      profile.db.transaction(() => {
        for (let i = from; i < Math.min(count, from + batchSize); i++) {
          const incoming = i % 3 !== 0;
          const at = start + i * 61_000 + c;
          messages.insert({
            id: `bench-${c}-${i}`,
            conversationId: conversation.id,
            direction: incoming ? 'incoming' : 'outgoing',
            senderAccountId: incoming ? peer : 'bench-self',
            body: `Message ${i}: could you check the repeat prescription request for Mrs A${i % 7 === 0 ? ', and her blood test results' : ''}`,
            urgent: i % 97 === 0,
            status: incoming ? 'delivered' : 'read',
            sentAt: at,
            receivedAt: incoming ? at : null,
            expiresAt: null,
          });
        }
      })();
    }
    conversations.touch(conversation.id, start + count * 61_000 + c);
  }
}

interface UnlockTimes {
  unlockMs: number;
  retentionMs: number;
  /** Retention's catch-up pass and first sweep, in the background after the list. */
  retentionPassMs: number;
  listMs: number;
  searchMs: number;
  /** The process's resident set after unlock, list and searches, before the profile closes. */
  rssMb: number;
  /** Warm (pages cached), median of 5 interleaved: the list now and as first written. */
  warmListMs: number;
  oldListMs: number;
  /** The background pass that indexes messages stored before the search index, after the list. */
  indexPassMs: number;
  /** Warm, median of 9 interleaved: full-text search vs the LIKE scan it replaced, per query. */
  ftsMs: Record<string, number>;
  likeMs: Record<string, number>;
}

const searches = ['blood test', '4242'];

/** The search as it was before the index: a LIKE scan of every message (MessagingQueries). */
function likeSearch(profile: OpenProfile): (query: string) => unknown {
  const statement = profile.db
    .prepare(`SELECT DISTINCT conversation_id FROM messages WHERE body LIKE ? ESCAPE '\\'`)
    .pluck();
  return (query) =>
    new Set(statement.all(`%${query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`) as string[]);
}

/**
 * The per-conversation statements of the first version of the list, for the same-run baseline.
 * INDEXED BY keeps the plan it had then: SQLite would otherwise pick migration 003's index.
 */
function oldList(profile: OpenProfile): void {
  const db = profile.db;
  const unread = db.prepare(`SELECT count(*) FROM messages
    WHERE conversation_id = ? AND direction = 'incoming' AND read_at IS NULL`);
  const urgent = db.prepare(`SELECT count(*) FROM messages INDEXED BY messages_unread
    WHERE conversation_id = ? AND direction = 'incoming' AND read_at IS NULL AND urgent = 1`);
  const last = db.prepare(`SELECT body, sent_at FROM messages WHERE conversation_id = ?
    ORDER BY sent_at DESC, id DESC LIMIT 1`);
  for (const c of profile.repositories.conversations.list()) {
    unread.pluck().get(c.id);
    urgent.pluck().get(c.id);
    last.get(c.id);
  }
}

async function unlockToList(id: string): Promise<UnlockTimes> {
  const time = async (work: () => unknown) => {
    const started = performance.now();
    await work();
    return performance.now() - started;
  };
  let profile!: OpenProfile;
  const unlockMs = await time(async () => (profile = await store.unlock(id, passcode)));
  const retention = new RetentionService({ profile, retentionDays, logger: silent });
  // As the app runs it (ProfileRuntime): started, not awaited; its catch-up pass runs in slices
  // after the list, and is timed apart below.
  let started!: Promise<unknown>;
  const retentionMs = await time(() => {
    started = retention.start();
  });
  const views = new MessagingViews(profile);
  let listed = 0;
  const listMs = await time(() => (listed = views.conversations().length));
  if (listed !== conversationCount) throw new Error(`listed ${listed} conversations`);
  const retentionPassMs = await time(() => started);
  const indexer = new MessageSearchIndexer({ db: profile.db, logger: silent });
  const indexPassMs = await time(async () => {
    indexer.start();
    await indexer.whenDone();
  });
  const searchMs = await time(() => views.conversations('blood test'));
  const search = new MessageSearch(profile.db);
  const like = likeSearch(profile);
  const ftsMs: Record<string, number> = {};
  const likeMs: Record<string, number> = {};
  for (const query of searches) {
    const fts: number[] = [];
    const scan: number[] = [];
    // Not interleaved: the LIKE scan reads every page of the table through SQLite's page cache
    // (2 MiB), which would leave each search after it cold.
    for (let i = 0; i < 9; i++) fts.push(await time(() => search.search(query)));
    for (let i = 0; i < 9; i++) scan.push(await time(() => like(query)));
    const found = search.search(query).size;
    if (found !== (like(query) as Set<string>).size) {
      throw new Error(`'${query}': full-text found ${found} conversations, LIKE another number`);
    }
    ftsMs[query] = median(fts);
    likeMs[query] = median(scan);
  }
  const warm: number[] = [];
  const old: number[] = [];
  for (let i = 0; i < 5; i++) {
    warm.push(await time(() => views.conversations()));
    old.push(await time(() => oldList(profile)));
  }
  const rssMb = process.memoryUsage().rss / 2 ** 20;
  retention.stop();
  profile.close();
  return {
    unlockMs,
    retentionMs,
    retentionPassMs,
    rssMb,
    listMs,
    searchMs,
    warmListMs: median(warm),
    oldListMs: median(old),
    indexPassMs,
    ftsMs,
    likeMs,
  };
}

interface ReadAndPageTimes {
  /** markRead of every unread message of the big conversation: start to finish, and the longest
   * transaction (how long the core's event loop is held at once). */
  markReadMs: number;
  markReadLongestMs: number;
  /** The same marks and receipts as first written: one transaction of per-message statements. */
  oldMarkReadMs: number;
  /** A page of 200 views: per page now, one message at a time before. */
  pageMs: number;
  oldPageMs: number;
}

/**
 * The parts of the messaging core markRead uses, on a profile with no relay: transactions timed
 * as the core runs them (one BEGIN each), the outbox never kicked.
 */
function benchCore(profile: OpenProfile, longest: { ms: number }): CoreContext {
  return {
    db: profile.db,
    repos: profile.repositories,
    queries: new MessagingQueries(profile.db),
    account: { accountId: 'bench-self', deviceId: 1 },
    ownDevices: { known: false, siblings: new Set<number>() },
    now: () => Date.now(),
    kickOutbox: () => undefined,
    txEmit: async <T>(work: (emit: () => void) => Promise<T>): Promise<T> => {
      const started = performance.now();
      profile.db.exec('BEGIN');
      try {
        const result = await work(() => undefined);
        profile.db.exec('COMMIT');
        return result;
      } catch (error) {
        profile.db.exec('ROLLBACK');
        throw error;
      } finally {
        longest.ms = Math.max(longest.ms, performance.now() - started);
      }
    },
  } as unknown as CoreContext;
}

/** markRead as first written: two UPDATEs per message, receipts and sync in chunks of 500. */
function oldMarkRead(profile: OpenProfile, conversationId: string, peer: string): number {
  const db = profile.db;
  const unread = db
    .prepare(
      `SELECT id, kind FROM messages WHERE conversation_id = ? AND direction = 'incoming'
       AND read_at IS NULL ORDER BY sent_at, id`,
    )
    .all(conversationId) as { id: string; kind: string }[];
  const read = db.prepare(`UPDATE messages SET read_at = ?
    WHERE id = ? AND direction = 'incoming' AND read_at IS NULL`);
  const status = db.prepare(`UPDATE messages SET status = 'read', failure_reason = NULL
    WHERE id = ? AND status IN ('pending', 'sent', 'delivered')`);
  const now = Date.now();
  db.transaction(() => {
    for (const { id } of unread) read.run(now, id);
    for (const { id } of unread) status.run(id);
    const ids = unread.filter((row) => row.kind === 'text').map((row) => row.id);
    for (let i = 0; i < ids.length; i += 500) {
      const messageIds = ids.slice(i, i + 500);
      const queue = (recipient: string, body: object) =>
        profile.repositories.outbox.enqueue(
          {
            kind: recipient === peer ? 'receipt' : 'control',
            recipientAccountId: recipient,
            payload: encodeContent({
              v: 1,
              id: newMessageId(now),
              sentAt: now,
              ...body,
            } as Content),
          },
          now,
        );
      queue(peer, { kind: 'receipt', receipt: 'read', messageIds });
      queue('bench-self', { kind: 'sync', peer, sync: { type: 'read', messageIds } });
    }
  })();
  return unread.length;
}

/** Marks the big conversation read (now and as first written, alternately) and pages it. */
async function readAndPage(id: string, runs: number): Promise<ReadAndPageTimes[]> {
  const profile = await store.unlock(id, passcode);
  const peer = 'bench-peer-0';
  const conversation = profile.repositories.conversations.findDirect(peer);
  if (!conversation) throw new Error('no big conversation');
  const unread = profile.db.prepare(`UPDATE messages SET read_at = NULL, status = 'delivered'
    WHERE conversation_id = ? AND direction = 'incoming'`);
  const unreadAgain = () => {
    unread.run(conversation.id);
    profile.db.exec('DELETE FROM outbox');
  };
  const longest = { ms: 0 };
  const actions = new OutgoingActions(benchCore(profile, longest));
  const newest = profile.repositories.messages.pageBefore(conversation.id, null, 1)[0];
  if (!newest) throw new Error('empty big conversation');
  const views = new MessagingViews(profile);
  const times: ReadAndPageTimes[] = [];
  for (let run = 0; run < runs; run++) {
    unreadAgain();
    const count = profile.repositories.messages.countUnread(conversation.id);
    longest.ms = 0;
    let started = performance.now();
    const marked = await actions.markRead(conversation.id, newest.id);
    const markReadMs = performance.now() - started;
    if (marked.length !== count || count < 6_000) throw new Error(`marked ${marked.length}`);
    unreadAgain();
    started = performance.now();
    if (oldMarkRead(profile, conversation.id, peer) !== count) throw new Error('old markRead');
    const oldMarkReadMs = performance.now() - started;
    // A page from the middle of the conversation, as scrolling asks for it.
    const page = profile.repositories.messages.pageBefore(
      conversation.id,
      { sentAt: newest.sentAt - 5_000 * 61_000, id: '' },
      200,
    );
    started = performance.now();
    views.messages(page);
    const pageMs = performance.now() - started;
    started = performance.now();
    page.map((record) => views.message(record));
    const oldPageMs = performance.now() - started;
    times.push({
      markReadMs,
      markReadLongestMs: longest.ms,
      oldMarkReadMs,
      pageMs,
      oldPageMs,
    });
  }
  profile.close();
  return times;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

function medians(runs: UnlockTimes[]): UnlockTimes {
  const of = (key: Exclude<keyof UnlockTimes, 'ftsMs' | 'likeMs'>) =>
    median(runs.map((r) => r[key]));
  return {
    unlockMs: of('unlockMs'),
    retentionMs: of('retentionMs'),
    retentionPassMs: of('retentionPassMs'),
    rssMb: of('rssMb'),
    listMs: of('listMs'),
    searchMs: of('searchMs'),
    warmListMs: of('warmListMs'),
    oldListMs: of('oldListMs'),
    indexPassMs: of('indexPassMs'),
    ftsMs: Object.fromEntries(searches.map((q) => [q, median(runs.map((r) => r.ftsMs[q]!))])),
    likeMs: Object.fromEntries(searches.map((q) => [q, median(runs.map((r) => r.likeMs[q]!))])),
  };
}

async function main(): Promise<void> {
  const ids: Record<'full' | 'empty', string> = { full: '', empty: '' };
  for (const name of ['full', 'empty'] as const) {
    const profile = await store.create({ label: `Bench ${name}`, passcode });
    const started = performance.now();
    seed(profile, name === 'full');
    if (name === 'full') {
      console.log(
        `seeded ${total} messages in ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
    }
    ids[name] = profile.id;
    profile.close();
  }
  const first = { full: await unlockToList(ids.full), empty: await unlockToList(ids.empty) };
  const later: Record<'full' | 'empty', UnlockTimes[]> = { full: [], empty: [] };
  for (let i = 0; i < unlocks; i++) {
    later.full.push(await unlockToList(ids.full));
    later.empty.push(await unlockToList(ids.empty));
  }

  const read = await readAndPage(ids.full, unlocks);
  const ms = (value: number) => `${value.toFixed(1)} ms`.padStart(9);
  const row = (label: string, full: UnlockTimes, empty: UnlockTimes) => {
    const sum = (t: UnlockTimes) => t.unlockMs + t.retentionMs + t.listMs;
    console.log(`${label}`);
    console.log(`  unlock (cheap KDF)   ${ms(full.unlockMs)}   empty ${ms(empty.unlockMs)}`);
    console.log(`  retention start      ${ms(full.retentionMs)}   empty ${ms(empty.retentionMs)}`);
    console.log(
      `  conversations.list   ${ms(full.listMs)}   empty ${ms(empty.listMs)}   (first call)`,
    );
    console.log(
      `    warm, same profile: ${ms(full.warmListMs)}   as first written (urgent flag counted through the unread index): ${ms(full.oldListMs)}   x${(full.oldListMs / full.warmListMs).toFixed(1)}`,
    );
    console.log(
      `  unlock -> list       ${ms(sum(full))}   empty ${ms(sum(empty))}   extra for 100k messages: ${ms(sum(full) - sum(empty))}`,
    );
    console.log(
      `  retention pass       ${ms(full.retentionPassMs)}   empty ${ms(empty.retentionPassMs)}   (background, in slices, after the list)`,
    );
    console.log(
      `  search index pass    ${ms(full.indexPassMs)}   (background, in slices, after the list)`,
    );
    console.log(
      `  conversations.list('blood test') ${ms(full.searchMs)}   (search, then the list with excerpts)`,
    );
    for (const q of searches) {
      console.log(
        `  search '${q}' warm: full-text ${ms(full.ftsMs[q]!)}   LIKE scan ${ms(full.likeMs[q]!)}   ratio ${(full.ftsMs[q]! / full.likeMs[q]!).toFixed(3)}x`,
      );
    }
  };
  console.log(
    `\n${total} messages in ${conversationCount} conversations vs an empty profile (${conversationCount} conversations, no messages):`,
  );
  row(
    'first unlock after seeding (seeded messages get their expiry here, once):',
    first.full,
    first.empty,
  );
  const warm = { full: medians(later.full), empty: medians(later.empty) };
  row(`later unlocks (median of ${unlocks}):`, warm.full, warm.empty);
  const sum = (t: UnlockTimes) => t.unlockMs + t.retentionMs + t.listMs;
  const n = `${total} messages`;
  figure({
    name: `first unlock -> list, ${n}`,
    value: sum(first.full),
    unit: 'ms',
    baseline: sum(first.empty),
  });
  figure({
    name: `unlock -> list, ${n}`,
    value: sum(warm.full),
    unit: 'ms',
    baseline: sum(warm.empty),
  });
  figure({
    name: `conversations.list warm, ${n}`,
    value: warm.full.warmListMs,
    unit: 'ms',
    baseline: warm.full.oldListMs,
  });
  figure({
    name: `conversations.list('blood test'), ${n}`,
    value: warm.full.searchMs,
    unit: 'ms',
  });
  figure({
    name: `retention catch-up pass after first unlock (background), ${n}`,
    value: first.full.retentionPassMs,
    unit: 'ms',
  });
  figure({
    name: `core RSS with ${n} unlocked, listed and searched`,
    value: Math.max(...later.full.map((t) => t.rssMb)),
    unit: 'MB',
  });
  figure({
    name: `search index pass after first unlock, ${n}`,
    value: first.full.indexPassMs,
    unit: 'ms',
  });
  const readMedian = (key: keyof ReadAndPageTimes) => median(read.map((t) => t[key]));
  const range = (key: keyof ReadAndPageTimes) =>
    `${ms(Math.min(...read.map((t) => t[key])))} – ${ms(Math.max(...read.map((t) => t[key])))}`;
  console.log(`\n10,000-message conversation, ${read.length} runs (range):`);
  console.log(
    `  markRead of its 6,667 unread  ${range('markReadMs')}   longest transaction ${range('markReadLongestMs')}`,
  );
  console.log(`    as first written (one transaction) ${range('oldMarkReadMs')}`);
  console.log(
    `  messages.page of 200 views    ${range('pageMs')}   one message at a time ${range('oldPageMs')}`,
  );
  figure({
    name: 'markRead 6,667 unread: longest hold of the core (slice vs one transaction)',
    value: readMedian('markReadLongestMs'),
    unit: 'ms',
    baseline: readMedian('oldMarkReadMs'),
  });
  figure({
    name: 'markRead 6,667 unread, start to finish',
    value: readMedian('markReadMs'),
    unit: 'ms',
    baseline: readMedian('oldMarkReadMs'),
  });
  figure({
    name: 'messages.page of 200 views (per page vs per message)',
    value: readMedian('pageMs'),
    unit: 'ms',
    baseline: readMedian('oldPageMs'),
  });
  for (const q of searches) {
    figure({
      name: `search '${q}' warm, full-text vs LIKE scan, ${n}`,
      value: warm.full.ftsMs[q]!,
      unit: 'ms',
      baseline: warm.full.likeMs[q]!,
    });
  }
}

main()
  .finally(() => rmSync(root, { recursive: true, force: true }))
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
