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
/** Index entries read newest first before one grouped pass over every match is cheaper. */
const earlyStopRows = 400;
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
      // Matches from the most recently stored back: the search stops as soon as every
      // conversation has its latest match, so a common word reads a few hundred index entries
      // rather than every match.
      matchesNewestFirst: db
        .prepare(
          'SELECT rowid FROM message_search WHERE message_search MATCH ? ORDER BY rowid DESC',
        )
        .pluck(),
      messageAt: db.prepare(
        'SELECT conversation_id AS conversationId, id AS messageId, sent_at AS sentAt FROM messages WHERE rowid = ?',
      ),
      bodyOf: db.prepare('SELECT body FROM messages WHERE id = ?').pluck(),
      // When that does not finish early (a conversation without any match), the latest match of
      // each conversation in one pass; CROSS JOIN keeps the index first.
      latestMatches: db.prepare(
        `SELECT m.conversation_id AS conversationId, m.id AS messageId, max(s.rowid) AS rid,
           m.sent_at AS sentAt
         FROM message_search AS s CROSS JOIN messages AS m ON m.rowid = s.rowid
         WHERE message_search MATCH ? GROUP BY m.conversation_id`,
      ),
      conversationCount: db.prepare('SELECT count(*) FROM conversations').pluck(),
      unindexed: db.prepare(
        `SELECT conversation_id AS conversationId, id AS messageId, max(sent_at) AS sentAt, body
         FROM messages WHERE rowid > ? AND body LIKE ? ESCAPE '\\' GROUP BY conversation_id`,
      ),
    };
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
      const latest = new Map<string, { messageId: string; sentAt: number }>();
      const conversations = this.statements.conversationCount.get() as number;
      let read = 0;
      let complete = false;
      for (const rowid of this.statements.matchesNewestFirst.iterate(query) as Iterable<number>) {
        read += 1;
        const row = this.statements.messageAt.get(rowid) as
          { conversationId: string; messageId: string; sentAt: number } | undefined;
        if (row && !latest.has(row.conversationId)) latest.set(row.conversationId, row);
        // Leaving the loop resets the statement.
        if (latest.size >= conversations) break;
        if (read >= earlyStopRows) {
          complete = true;
          break;
        }
      }
      if (complete) {
        latest.clear();
        const rows = this.statements.latestMatches.all(query) as Array<{
          conversationId: string;
          messageId: string;
          sentAt: number;
        }>;
        for (const row of rows) latest.set(row.conversationId, row);
      }
      for (const [conversationId, row] of latest) {
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
