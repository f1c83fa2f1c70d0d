/**
 * Storage failures a client should retry rather than treat as a bug: the database is locked by
 * another process (busy), the disk or the database's size limit is full, or the disk fails.
 * Recognised by the SQLite result code (better-sqlite3's SqliteError.code, e.g. SQLITE_BUSY,
 * SQLITE_FULL, SQLITE_IOERR_WRITE); a PostgreSQL backend would map its own codes here.
 */
export type StorageFailureKind = 'busy' | 'full' | 'io';

export function storageFailureKind(error: unknown): StorageFailureKind | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return null;
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'busy';
  if (code === 'SQLITE_FULL') return 'full';
  if (code.startsWith('SQLITE_IOERR') || code === 'SQLITE_CANTOPEN') return 'io';
  return null;
}

/** Seconds to tell a client to wait after a storage failure of this kind. */
export function storageRetryAfterSeconds(kind: StorageFailureKind): number {
  return kind === 'busy' ? 1 : 30;
}
