import { AsyncLocalStorage } from 'node:async_hooks';
import type { SqlDatabase } from './encrypted-database.js';

/**
 * Asynchronous transactions on one better-sqlite3 connection, without swallowing anyone else's
 * writes.
 *
 * libsignal calls the stores asynchronously, yet receiving must commit the ratcheted session and
 * the plaintext together, so a unit of work holds a BEGIN across awaits. While it awaits, other
 * code (a retention sweep, a transcription confirmation, a settings change) may write on the same
 * connection, synchronously, and cannot wait. If those writes joined the open BEGIN they would be
 * rolled back with it when the unit fails (an untrusted identity, a corrupt envelope).
 *
 * So the connection is guarded: a write that does not belong to the open unit first rolls the
 * unit back (it is "preempted"), then runs on its own and commits as it would have without the
 * unit. The unit's later writes are refused, and when its work settles it is run again from the
 * start on the new state: optimistic concurrency, with other writers always winning. Units are
 * short (milliseconds of libsignal work) and other writes are rare, so re-runs are rare too.
 *
 * Ownership is the async context of the unit's work. libsignal calls the stores back without
 * that context, so statements of the Signal stores are prepared through `insideTransactions`:
 * they belong to whatever unit is running (and are only ever used by one).
 *
 * A unit's work must therefore be safe to run twice: collect events inside it, undo in-memory
 * effects with `onRollback`, and start follow-up work with `afterCommit`.
 */

/** The unit was rolled back because someone else wrote; runInAsyncTransaction runs it again. */
export class TransactionPreemptedError extends Error {
  constructor() {
    super('Another write on the profile database ended this transaction; it will run again.');
    this.name = 'TransactionPreemptedError';
  }
}

interface Unit {
  preempted: boolean;
  readonly undo: (() => void)[];
  readonly after: (() => void)[];
}

interface Connection {
  queue: Promise<unknown>;
  /** The unit whose work is executing (open, or preempted and not yet settled). */
  running: Unit | null;
  readonly rawExec: (sql: string) => void;
}

type Check = 'guarded' | 'bound';

const connections = new WeakMap<SqlDatabase, Connection>();
const units = new AsyncLocalStorage<Unit>();

/** How many times a unit is preempted before it gives up (its caller retries later). */
export const MAX_PREEMPTIONS = 5;

/**
 * Installs the write guard on a connection. Call right after opening, before anything prepares
 * statements: statements prepared earlier are not guarded. Idempotent.
 */
export function guardWrites(db: SqlDatabase): void {
  connection(db);
}

/**
 * The connection as the Signal stores use it: their writes belong to the running unit, because
 * libsignal invokes them without the unit's async context.
 */
export function insideTransactions(db: SqlDatabase): SqlDatabase {
  const state = connection(db);
  const view = Object.create(db) as SqlDatabase;
  const prepare = Object.getPrototypeOf(db).prepare as SqlDatabase['prepare'];
  const transaction = Object.getPrototypeOf(db).transaction as SqlDatabase['transaction'];
  view.prepare = ((sql: string) =>
    guardStatement(prepare.call(db, sql), state, 'bound')) as SqlDatabase['prepare'];
  view.transaction = ((fn: (...args: unknown[]) => unknown) =>
    guardFunction(transaction.call(db, fn), state, 'bound')) as SqlDatabase['transaction'];
  return view;
}

/**
 * Runs `work` inside one write transaction (BEGIN IMMEDIATE ... COMMIT, ROLLBACK on failure).
 * Units on the same connection run one after another. A unit preempted by another writer is run
 * again, up to MAX_PREEMPTIONS times.
 */
export function runInAsyncTransaction<T>(db: SqlDatabase, work: () => Promise<T>): Promise<T> {
  const state = connection(db);
  const run = state.queue.then(async () => {
    for (let attempt = 1; ; attempt += 1) {
      const outcome = await attemptOnce(db, state, work);
      if (outcome.done) return outcome.value;
      if (attempt >= MAX_PREEMPTIONS) throw new TransactionPreemptedError();
    }
  });
  state.queue = run.catch(() => undefined);
  return run;
}

/** Runs `fn` once the running unit has committed (at once when none is running here). */
export function afterCommit(fn: () => void): void {
  const unit = units.getStore();
  if (!unit || !isRunning(unit)) fn();
  // A preempted unit never commits; its re-run registers the follow-up again.
  else if (!unit.preempted) unit.after.push(fn);
}

/** Registers how to undo an in-memory effect of the running unit if it is rolled back. */
export function onRollback(fn: () => void): void {
  const unit = units.getStore();
  if (!unit || !isRunning(unit)) return;
  if (unit.preempted) fn();
  else unit.undo.push(fn);
}

const runningUnits = new WeakSet<Unit>();
const isRunning = (unit: Unit) => runningUnits.has(unit);

async function attemptOnce<T>(
  db: SqlDatabase,
  state: Connection,
  work: () => Promise<T>,
): Promise<{ done: true; value: T } | { done: false }> {
  const unit: Unit = { preempted: false, undo: [], after: [] };
  state.running = unit;
  runningUnits.add(unit);
  try {
    state.rawExec('BEGIN IMMEDIATE');
    let value: T;
    try {
      value = await units.run(unit, work);
    } catch (error) {
      if (unit.preempted) return { done: false };
      rollBack(db, state, unit);
      throw error;
    }
    if (unit.preempted) return { done: false };
    state.rawExec('COMMIT');
    runningUnits.delete(unit);
    for (const fn of unit.after) fn();
    return { done: true, value };
  } finally {
    runningUnits.delete(unit);
    state.running = null;
  }
}

function rollBack(db: SqlDatabase, state: Connection, unit: Unit): void {
  if (db.inTransaction) state.rawExec('ROLLBACK');
  for (const fn of unit.undo.splice(0).reverse()) fn();
}

function preempt(db: SqlDatabase, state: Connection, unit: Unit): void {
  unit.preempted = true;
  rollBack(db, state, unit);
}

/** Decides, before any write, whether it belongs to the running unit. */
function beforeWrite(db: SqlDatabase, state: Connection, check: Check): void {
  const running = state.running;
  if (running === null) return;
  const own = check === 'bound' || units.getStore() === running;
  if (own) {
    if (running.preempted) throw new TransactionPreemptedError();
    return;
  }
  if (!running.preempted) preempt(db, state, running);
}

function connection(db: SqlDatabase): Connection {
  const existing = connections.get(db);
  if (existing) return existing;
  const proto = Object.getPrototypeOf(db) as SqlDatabase;
  const rawExec = (sql: string) => void proto.exec.call(db, sql);
  const state: Connection = { queue: Promise.resolve(), running: null, rawExec };
  connections.set(db, state);
  db.prepare = ((sql: string) =>
    guardStatement(proto.prepare.call(db, sql), state, 'guarded')) as SqlDatabase['prepare'];
  db.transaction = ((fn: (...args: unknown[]) => unknown) =>
    guardFunction(proto.transaction.call(db, fn), state, 'guarded')) as SqlDatabase['transaction'];
  db.exec = ((sql: string) => {
    beforeWrite(db, state, 'guarded');
    return proto.exec.call(db, sql);
  }) as SqlDatabase['exec'];
  db.pragma = ((source: string, options?: { simple?: boolean }) => {
    beforeWrite(db, state, 'guarded');
    return proto.pragma.call(db, source, options);
  }) as SqlDatabase['pragma'];
  return state;
}

type Statement = ReturnType<SqlDatabase['prepare']>;

function guardStatement(statement: Statement, state: Connection, check: Check): Statement {
  // Read-only statements can neither join nor spoil a transaction.
  if (statement.readonly) return statement;
  const db = statement.database;
  for (const method of ['run', 'get', 'all', 'iterate'] as const) {
    const original = statement[method] as (...args: unknown[]) => unknown;
    Object.defineProperty(statement, method, {
      value: (...args: unknown[]) => {
        beforeWrite(db, state, check);
        return original.apply(statement, args);
      },
    });
  }
  return statement;
}

function guardFunction<F extends (...args: never[]) => unknown>(
  fn: F,
  state: Connection,
  check: Check,
): F {
  const variants = fn as unknown as Record<Variant, F> & { database: SqlDatabase };
  const db = variants.database;
  const guard = (variant: F) =>
    ((...args: Parameters<F>) => {
      beforeWrite(db, state, check);
      return variant(...args);
    }) as F;
  const guarded = guard(fn);
  for (const name of ['default', 'deferred', 'immediate', 'exclusive'] as const) {
    Object.defineProperty(guarded, name, { value: guard(variants[name]) });
  }
  return guarded;
}

type Variant = 'default' | 'deferred' | 'immediate' | 'exclusive';
