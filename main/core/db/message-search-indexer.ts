import { describeError } from '../../../shared/describe-error.js';
import type { Logger } from '../log/logger.js';
import { runInAsyncTransaction } from './async-transaction.js';
import type { SqlDatabase } from './encrypted-database.js';
import { indexNextSlice } from './message-search.js';

export interface MessageSearchIndexerOptions {
  readonly db: SqlDatabase;
  readonly logger: Logger;
  /** Messages per slice (one transaction each). */
  readonly sliceSize?: number;
  /** Pause between slices, so the renderer's calls and received messages go first. */
  readonly pauseMs?: number;
  /** Called once the index covers every message. */
  readonly onComplete?: () => void;
}

// Small, like retention's catch-up: each slice holds the connection the renderer's calls need.
const defaultSliceSize = 500;
const defaultPauseMs = 5;

/**
 * The background pass that builds the search index of a profile whose messages predate it (an
 * upgrade), after unlock: a slice of messages per transaction, queued behind the messaging core's
 * units (never preempting a receive), with a pause between slices so that the conversation list
 * and the first screens do not wait for it. A new profile's pass finds nothing to do.
 */
export class MessageSearchIndexer {
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private running: Promise<void> | null = null;
  private readonly sliceSize: number;
  private readonly pauseMs: number;

  constructor(private readonly options: MessageSearchIndexerOptions) {
    this.sliceSize = options.sliceSize ?? defaultSliceSize;
    this.pauseMs = options.pauseMs ?? defaultPauseMs;
  }

  /** Starts the pass on a later turn of the event loop (not inside unlock). */
  start(): void {
    if (this.stopped || this.timer || this.running) return;
    this.schedule(0);
  }

  /** Resolves when the pass has finished (or was stopped). */
  async whenDone(): Promise<void> {
    while (!this.stopped && (this.timer || this.running)) {
      await (this.running ?? new Promise((resolve) => setTimeout(resolve, this.pauseMs)));
    }
  }

  /** Stops before the database closes; a slice in flight commits or rolls back as a whole. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(delay: number): void {
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.slice().finally(() => (this.running = null));
    }, delay);
  }

  private async slice(): Promise<void> {
    if (this.stopped) return;
    const { db, logger } = this.options;
    try {
      const { done } = await runInAsyncTransaction(db, () =>
        Promise.resolve(
          this.stopped ? { indexed: 0, done: true } : indexNextSlice(db, this.sliceSize),
        ),
      );
      if (this.stopped) return;
      if (done) {
        this.options.onComplete?.();
        return;
      }
      this.schedule(this.pauseMs);
    } catch (error) {
      if (this.stopped || !db.open) return;
      // Search still works (unindexed messages are scanned); the pass runs again next unlock.
      logger.warn('search_index_pass_failed', { error: describeError(error) });
    }
  }
}
