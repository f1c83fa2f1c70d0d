/**
 * Storage failures a client should retry rather than treat as a bug: the database is locked by
 * another process (busy), the disk or the database's size limit is full, or the disk fails.
 * Recognised by the SQLite result code (better-sqlite3's SqliteError.code, e.g. SQLITE_BUSY,
 * SQLITE_FULL, SQLITE_IOERR_WRITE), or by the PostgreSQL SQLSTATE (pg's DatabaseError.code) and
 * the socket error of a lost database connection.
 */
export type StorageFailureKind = 'busy' | 'full' | 'io';

export function storageFailureKind(error: unknown): StorageFailureKind | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return null;
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'busy';
  if (code === 'SQLITE_FULL') return 'full';
  if (code.startsWith('SQLITE_IOERR') || code === 'SQLITE_CANTOPEN') return 'io';
  return postgresFailureKind(code);
}

// lock_not_available (lock_timeout), serialization and deadlock failures, too many connections,
// a server starting or stopping, a lost connection (a failover to the standby): retry soon.
// disk_full and the server's own I/O errors: later.
const postgresBusy = new Set(['55P03', '40001', '40P01', '53300', '57P01', '57P03', '57014']);
const socketErrors = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH']);

function postgresFailureKind(code: string): StorageFailureKind | null {
  if (postgresBusy.has(code) || code.startsWith('08') || socketErrors.has(code)) return 'busy';
  if (code === '53100') return 'full';
  if (code === '58030') return 'io';
  return null;
}

/** Seconds to tell a client to wait after a storage failure of this kind. */
export function storageRetryAfterSeconds(kind: StorageFailureKind): number {
  return kind === 'busy' ? 1 : 30;
}
