import type { SqlDatabase } from '../db/encrypted-database.js';
import { resetMessageSearch } from '../db/message-search.js';

export interface ReclaimResult {
  readonly freePagesBefore: number;
  readonly freePagesAfter: number;
  /** False when a reader kept the WAL from being emptied; the next reclaim tries again. */
  readonly walTruncated: boolean;
}

const incremental = 2;

/**
 * Profiles created before auto_vacuum was set while the file was still empty have auto_vacuum
 * NONE, and no amount of incremental_vacuum shrinks them. Converting takes one full VACUUM
 * (which also rewrites every page, dropping free-space remnants); after that it is never needed.
 * VACUUM may renumber message rowids, which the search index refers to, so the index starts
 * again (the background pass rebuilds it). Returns whether a conversion ran.
 */
export function ensureIncrementalVacuum(db: SqlDatabase): boolean {
  if (db.pragma('auto_vacuum', { simple: true }) === incremental) return false;
  db.pragma('auto_vacuum = INCREMENTAL');
  db.exec('VACUUM');
  resetMessageSearch(db);
  return true;
}

/**
 * Gives the pages of deleted messages back to the file system and empties the WAL, so deleted
 * text does not linger in either file. Needs auto_vacuum=INCREMENTAL (set when the database is
 * created) and secure_delete (set by retention) so the pages that stay are zeroed too.
 */
export function reclaimSpace(db: SqlDatabase): ReclaimResult {
  const freePagesBefore = db.pragma('freelist_count', { simple: true }) as number;
  db.pragma('incremental_vacuum');
  const freePagesAfter = db.pragma('freelist_count', { simple: true }) as number;
  const [checkpoint] = db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number }>;
  return { freePagesBefore, freePagesAfter, walTruncated: checkpoint?.busy === 0 };
}
