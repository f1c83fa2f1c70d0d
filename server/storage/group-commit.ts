import type { Database } from 'better-sqlite3-multiple-ciphers';

export interface BatchJob {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Runs many callers' write work in one IMMEDIATE transaction, so that N concurrent sends cost
 * one WAL fsync instead of N. Each job runs in its own savepoint (a nested better-sqlite3
 * transaction), so one failing job rolls back alone. Callers are told nothing here: the returned
 * settle() resolves (or, given a failure, rejects) them, and the caller calls it only once the
 * commit is durable, which is what makes "200 means durable" true. If the outer transaction
 * itself fails (the database is locked, the disk full) nothing is settled and the error is
 * thrown, so that the caller may retry the whole batch or reject every job.
 */
export function runBatched(db: Database, jobs: readonly BatchJob[]): (failure?: unknown) => void {
  const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
  db.transaction(() => {
    for (const job of jobs) {
      try {
        outcomes.push({ ok: true, value: db.transaction(job.work)() });
      } catch (error) {
        // SQLite rolls the whole transaction back on some errors (a full disk, I/O): then no
        // job of this batch is committed, and all of them fail with that error.
        if (!db.inTransaction) throw error;
        outcomes.push({ ok: false, error });
      }
    }
  }).immediate();
  return (failure?: unknown) =>
    jobs.forEach((job, index) => {
      const outcome = outcomes[index];
      if (failure !== undefined) job.reject(failure);
      else if (outcome?.ok) job.resolve(outcome.value);
      else job.reject(outcome?.error);
    });
}
