import { MessengerError } from '../../../shared/errors.js';
import { createLogger, type Logger } from '../log/logger.js';
import type { OpenProfile } from '../profile/open-profile.js';
import { maxTimerDelayMs, systemClock, type TimerClock } from '../time/timer-clock.js';
import type { OriginalsDeleter } from './originals-deleter.js';
import { PendingTranscriptions, type PendingTranscription } from './pending-transcriptions.js';
import { describeError } from '../../../shared/describe-error.js';

export const pendingAuditActions = {
  undone: 'transcription.undone',
} as const;

/** While messaging is not running yet (just unlocked), a due deletion waits this long and retries. */
const deleterRetryMs = 5_000;

export interface PendingDeletionRunnerOptions {
  readonly profile: Pick<OpenProfile, 'db' | 'repositories' | 'closed'>;
  /** Looked up each time: messaging may start after this runner does. */
  readonly deleter: () => OriginalsDeleter | null;
  readonly clock?: TimerClock;
  /** Told after expiry times change, so the retention timer is re-armed. */
  readonly expiriesChanged?: () => void;
  readonly logger?: Logger;
}

/**
 * Sends each confirmed transcription's deletion when its undo window ends: marks the originals
 * transcribed with their deletion time (so retention deletes them even if what follows fails),
 * then deletes them on every device now, or tells every device when they go. An undo inside the
 * window removes the pending row and sends nothing. `start()` sends whatever fell due while the
 * profile was locked or the app closed.
 */
export class PendingDeletionRunner {
  private readonly pending: PendingTranscriptions;
  private readonly clock: TimerClock;
  private readonly log: Logger;
  private timer: unknown = null;
  private stopped = true;
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly options: PendingDeletionRunnerOptions) {
    this.pending = new PendingTranscriptions(options.profile.db);
    this.clock = options.clock ?? systemClock;
    this.log = options.logger ?? createLogger('transcription.pending');
  }

  start(): Promise<void> {
    this.stopped = false;
    return this.runDue();
  }

  stop(): void {
    this.stopped = true;
    this.disarm();
  }

  /** Call after adding a pending transcription. */
  reschedule(): void {
    if (!this.stopped) this.arm();
  }

  /** Sends every deletion whose window has ended; one pass at a time. */
  runDue(): Promise<void> {
    this.running = this.running.then(() => this.runNow());
    return this.running;
  }

  /**
   * Cancels a confirmed transcription inside its undo window: nothing is marked, scheduled or
   * sent, and the audit log records the undo next to the confirmation.
   */
  undo(auditId: number, actorAccountId: string): void {
    const { db, repositories } = this.options.profile;
    const pending = this.pending.get(auditId);
    const undone = db.transaction(() => {
      if (!pending || !this.pending.remove(auditId)) return false;
      repositories.audit.append({
        at: this.clock.now(),
        actorAccountId,
        action: pendingAuditActions.undone,
        conversationId: pending.conversationId,
        messageIds: pending.messageIds,
        details: { confirmation: auditId },
      });
      return true;
    })();
    if (!undone) {
      throw new MessengerError(
        'conflict',
        'Too late to undo: the undo window has ended and the deletion has gone out. The entry ' +
          'stays in the audit log; the messages cannot be brought back.',
      );
    }
    this.arm();
  }

  private async runNow(): Promise<void> {
    this.disarm();
    if (this.stopped || this.options.profile.closed) return;
    let waitForDeleter = false;
    for (const pending of this.pending.due(this.clock.now())) {
      const deleter = this.options.deleter();
      if (deleter === null) {
        waitForDeleter = true;
        break;
      }
      await this.send(pending, deleter);
      if (this.stopped || this.options.profile.closed) return;
    }
    this.arm(waitForDeleter ? this.clock.now() + deleterRetryMs : null);
  }

  private async send(pending: PendingTranscription, deleter: OriginalsDeleter): Promise<void> {
    const { db, repositories } = this.options.profile;
    const now = this.clock.now();
    const deleteAt = pending.deleteAt ?? now;
    const taken = db.transaction(() => {
      if (!this.pending.remove(pending.auditId)) return false;
      const ids = pending.messageIds;
      repositories.messages.markTranscribed(ids, pending.transcribedBy, pending.transcribedAt);
      for (const id of ids) {
        const current = repositories.messages.get(id)?.expiresAt ?? null;
        // Never postpone an earlier expiry (retention policy or a disappearing timer).
        if (current === null || current > deleteAt) repositories.messages.setExpiry([id], deleteAt);
      }
      return true;
    })();
    if (!taken) return;
    this.options.expiriesChanged?.();
    try {
      if (pending.deleteAt === null) {
        await deleter.deleteForEveryone(pending.conversationId, pending.messageIds, 'transcribed');
      } else {
        await deleter.sendTranscribedNotice(pending.conversationId, {
          messageIds: pending.messageIds,
          transcribedBy: pending.transcribedBy,
          transcribedAt: pending.transcribedAt,
          deleteAt: pending.deleteAt,
        });
      }
    } catch (error) {
      // The expiry set above stands: retention deletes them here and announces it everywhere.
      this.log.warn('pending_deletion_failed', {
        error: describeError(error),
      });
    }
    this.options.expiriesChanged?.();
  }

  private arm(at: number | null = null): void {
    this.disarm();
    if (this.stopped || this.options.profile.closed) return;
    const next = at ?? this.pending.nextDue();
    if (next === null) return;
    const delay = Math.min(Math.max(0, next - this.clock.now()), maxTimerDelayMs);
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.runDue().catch((error: unknown) => {
        this.log.warn('pending_run_failed', {
          error: describeError(error),
        });
      });
    }, delay);
  }

  private disarm(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }
}
