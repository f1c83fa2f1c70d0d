import type { SqlDatabase } from './encrypted-database.js';

/** A piece of an excerpt: matched text is shown highlighted. */
export interface ExcerptPart {
  readonly text: string;
  readonly match: boolean;
}

/**
 * The most recently stored message of a conversation that matches a search (messages are stored
 * as they arrive, so this is the newest but for a late delivery), with the matches marked.
 */
export interface SearchHit {
  readonly conversationId: string;
  readonly messageId: string;
  readonly sentAt: number;
  readonly excerpt: ExcerptPart[];
}

/** indexed_up_to when every message is indexed (and new ones are, by the triggers). */
export const INDEX_COMPLETE = Number.MAX_SAFE_INTEGER;

/** Characters of context shown before the first match, and in all. */
const excerptLead = 40;
const excerptLength = 120;
/** Up to this many matches, their rows are read directly. */
const fewMatches = 400;
/**
 * Index-only steps of the per-conversation walks allowed per match before one grouped pass over
 * the matching rows is cheaper (a step reads an index entry; the pass reads a whole row).
 */
const walkStepsPerMatch = 4;
/** Highest SQLite integer: the triggers compare rowids with it, so the index is complete. */
const sqliteMaxInteger = 9_223_372_036_854_775_807n;

/**
 * Words as the index's tokenizer (unicode61) sees them: runs of letters, digits and private-use
 * characters; compared case- and diacritic-insensitively (remove_diacritics 2).
 */
const tokenPattern = /[\p{L}\p{N}\p{Co}]+/gu;
const fold = (word: string) => word.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

/** The folded words of what the user typed (each is searched as a prefix). */
export function searchWords(text: string): string[] {
  return [...text.matchAll(tokenPattern)].map((m) => fold(m[0]));
}

/**
 * The FTS5 query for what the user typed: every word must appear, the last one as a prefix so
 * results come while typing (the others whole: a prefix makes FTS5 merge the lists of every
 * word it starts, ten times the work of a whole word). Each typed word is a quoted string, so
 * nothing typed is FTS5 syntax (AND, NEAR, column filters, `*`); quotes inside are doubled.
 * Null when nothing searchable is left.
 */
export function ftsQuery(text: string): string | null {
  const words = text
    .split(/\s+/)
    .map((w) => w.replace(/\p{Cc}/gu, ''))
    .filter((w) => searchWords(w).length > 0);
  if (words.length === 0) return null;
  return words
    .map((w, i) => `"${w.replace(/"/g, '""')}"${i === words.length - 1 ? '*' : ''}`)
    .join(' ');
}

/**
 * The excerpt of a message around its first match, as parts with the matching words flagged
 * (the last searched word as a prefix, the others whole, as ftsQuery searches them). Plain text: the renderer shows flagged parts as <mark>. Computed here
 * from the message (the index keeps no text), by the tokenizer's rules above.
 */
export function highlight(body: string, words: readonly string[]): ExcerptPart[] {
  const flat = body.replace(/\s+/g, ' ').trim();
  const matches = [...flat.matchAll(tokenPattern)]
    .filter((m) => {
      const word = fold(m[0]);
      return words.some((w, i) => (i === words.length - 1 ? word.startsWith(w) : word === w));
    })
    .map((m) => ({ start: m.index, end: m.index + m[0].length }));
  const first = matches[0]?.start ?? 0;
  let from = Math.max(0, first - excerptLead);
  // Start at a word boundary rather than mid-word.
  if (from > 0) from = flat.indexOf(' ', from) + 1 || from;
  const to = Math.min(flat.length, from + excerptLength);
  const parts: ExcerptPart[] = [];
  const push = (text: string, match: boolean) => {
    if (text !== '') parts.push({ text, match });
  };
  let at = from;
  for (const m of matches) {
    if (m.end <= from) continue;
    if (m.start >= to) break;
    push(flat.slice(at, m.start), false);
    push(flat.slice(m.start, Math.min(m.end, to)), true);
    at = Math.min(m.end, to);
  }
  push(flat.slice(at, to), false);
  if (from > 0) parts.unshift({ text: '…', match: false });
  if (to < flat.length) parts.push({ text: '…', match: false });
  return parts;
}

/**
 * Search over message text with the FTS5 index of migration 9 (message-search-index), plus a LIKE
 * scan of the messages the background pass has not indexed yet, so results are complete while
 * an upgraded profile's index is being built. Bound parameters only.
 */
export class MessageSearch {
  private readonly statements;

  constructor(db: SqlDatabase) {
    this.statements = {
      progress: db
        .prepare('SELECT indexed_up_to FROM message_search_progress WHERE id = 1')
        .pluck()
        .safeIntegers(),
      // Every match's rowid, from the index alone (no message row is read): a few ms even for
      // a word in one message of seven.
      matches: db.prepare('SELECT rowid FROM message_search WHERE message_search MATCH ?').pluck(),
      messageAt: db.prepare(
        'SELECT conversation_id AS conversationId, id AS messageId, sent_at AS sentAt FROM messages WHERE rowid = ?',
      ),
      bodyOf: db.prepare('SELECT body FROM messages WHERE id = ?').pluck(),
      conversationIds: db.prepare('SELECT id FROM conversations').pluck(),
      // A conversation's messages newest first, from messages_by_conversation_time alone (the
      // rowid is in the index entry): the walk that finds its latest match reads no row.
      newestFirst: db
        .prepare(
          `SELECT rowid FROM messages WHERE conversation_id = ? ORDER BY sent_at DESC, id DESC`,
        )
        .pluck(),
      // The walks' fallback (matches concentrated in a few conversations): the latest match of
      // each conversation in one pass over the matching rows; CROSS JOIN keeps the index first.
      latestMatches: db.prepare(
        `SELECT m.conversation_id AS conversationId, m.id AS messageId,
           max(m.sent_at) AS sentAt
         FROM message_search AS s CROSS JOIN messages AS m ON m.rowid = s.rowid
         WHERE message_search MATCH ? GROUP BY m.conversation_id`,
      ),
      unindexed: db.prepare(
        `SELECT conversation_id AS conversationId, id AS messageId, max(sent_at) AS sentAt, body
         FROM messages WHERE rowid > ? AND body LIKE ? ESCAPE '\\' GROUP BY conversation_id`,
      ),
    };
  }

  /**
   * Per conversation, its newest matching message (by sent_at, then id). The matches' rowids come
   * from the index alone; reading each match's row to learn its conversation is what made a
   * common word slow (14,000 rows for "blood test" in 100,000 messages). Few matches: their rows
   * are read. Many: each conversation's messages are walked newest first through the time
   * index, which reads no row, until one is a match; at the common word's density that is a
   * few steps each. A walk costing more than reading the matches' rows (matches bunched in a
   * few conversations) gives way to one grouped pass over them.
   */
  private latestMatches(query: string): Map<string, { messageId: string; sentAt: number }> {
    const latest = new Map<string, { messageId: string; sentAt: number }>();
    const rowids = this.statements.matches.all(query) as number[];
    const keep = (row: { conversationId: string; messageId: string; sentAt: number }) => {
      const known = latest.get(row.conversationId);
      if (
        !known ||
        row.sentAt > known.sentAt ||
        (row.sentAt === known.sentAt && row.messageId > known.messageId)
      ) {
        latest.set(row.conversationId, { messageId: row.messageId, sentAt: row.sentAt });
      }
    };
    type Row = { conversationId: string; messageId: string; sentAt: number };
    if (rowids.length <= fewMatches) {
      for (const rowid of rowids) {
        const row = this.statements.messageAt.get(rowid) as Row | undefined;
        if (row) keep(row);
      }
      return latest;
    }
    const matching = new Set(rowids);
    let budget = rowids.length * walkStepsPerMatch;
    const found: number[] = [];
    for (const conversationId of this.statements.conversationIds.all() as string[]) {
      for (const rowid of this.statements.newestFirst.iterate(conversationId) as Iterable<number>) {
        budget -= 1;
        // Leaving the loop resets the statement.
        if (budget < 0) break;
        if (matching.has(rowid)) {
          found.push(rowid);
          break;
        }
      }
      if (budget < 0) {
        for (const row of this.statements.latestMatches.all(query) as Row[]) keep(row);
        return latest;
      }
    }
    for (const rowid of found) {
      const row = this.statements.messageAt.get(rowid) as Row | undefined;
      if (row) keep(row);
    }
    return latest;
  }

  /** The rowid up to which messages are indexed; INDEX_COMPLETE once the pass has finished. */
  indexedUpTo(): number {
    const value = this.statements.progress.get() as bigint | undefined;
    if (value === undefined) return 0;
    return value >= BigInt(INDEX_COMPLETE) ? INDEX_COMPLETE : Number(value);
  }

  /** Per conversation with a message matching every word of `text`, its latest such message. */
  search(text: string): Map<string, SearchHit> {
    const hits = new Map<string, SearchHit>();
    const query = ftsQuery(text);
    const words = searchWords(text);
    if (query !== null) {
      for (const [conversationId, row] of this.latestMatches(query)) {
        const body = (this.statements.bodyOf.get(row.messageId) as string | undefined) ?? '';
        hits.set(conversationId, { conversationId, ...row, excerpt: highlight(body, words) });
      }
    }
    const upTo = this.indexedUpTo();
    const needle = text.trim();
    if (upTo !== INDEX_COMPLETE && needle !== '') {
      const pattern = `%${needle.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const rows = this.statements.unindexed.all(upTo, pattern) as Array<{
        conversationId: string;
        messageId: string;
        sentAt: number;
        body: string;
      }>;
      for (const row of rows) {
        const known = hits.get(row.conversationId);
        if (known && known.sentAt >= row.sentAt) continue;
        hits.set(row.conversationId, {
          conversationId: row.conversationId,
          messageId: row.messageId,
          sentAt: row.sentAt,
          excerpt: highlight(row.body, words),
        });
      }
    }
    return hits;
  }
}

/**
 * Indexes the next `limit` not-yet-indexed messages, in the caller's transaction. A slice that
 * finds fewer than `limit` has reached the end and marks the index complete in the same
 * transaction (so messages arriving while the pass runs cannot keep it from finishing). Returns
 * how many messages it indexed and whether it finished.
 */
export function indexNextSlice(db: SqlDatabase, limit: number): { indexed: number; done: boolean } {
  const upTo = db
    .prepare('SELECT indexed_up_to FROM message_search_progress WHERE id = 1')
    .pluck()
    .safeIntegers()
    .get() as bigint;
  if (upTo >= sqliteMaxInteger) return { indexed: 0, done: true };
  const { last, count } = db
    .prepare(
      `SELECT max(rowid) AS last, count(*) AS count
       FROM (SELECT rowid FROM messages WHERE rowid > ? ORDER BY rowid LIMIT ?)`,
    )
    .safeIntegers()
    .get(upTo, limit) as { last: bigint | null; count: bigint };
  const indexed =
    last === null
      ? 0
      : db
          .prepare(
            `INSERT INTO message_search (rowid, body)
             SELECT rowid, body FROM messages WHERE rowid > ? AND rowid <= ?`,
          )
          .run(upTo, last).changes;
  const done = count < BigInt(limit);
  db.prepare('UPDATE message_search_progress SET indexed_up_to = ? WHERE id = 1').run(
    done ? sqliteMaxInteger : last,
  );
  return { indexed, done };
}

/**
 * Empties the index and starts it again from the first message. For after a VACUUM, which may
 * renumber the rowids the index refers to (messages has no INTEGER PRIMARY KEY).
 */
export function resetMessageSearch(db: SqlDatabase): void {
  db.exec(`INSERT INTO message_search (message_search) VALUES ('delete-all');
    UPDATE message_search_progress SET indexed_up_to = 0 WHERE id = 1;`);
}
