import { z } from 'zod';
import { isMessengerError } from '../../../shared/errors.js';
import { createLogger, type Logger } from '../log/logger.js';
import type { DeletionReason, MessageRecord } from '../db/repositories/messages-repository.js';
import { writeTranscribedMarkers } from '../messaging/transcribed-markers.js';
import type { OpenProfile } from '../profile/open-profile.js';
import { maxTimerDelayMs, systemClock, type TimerClock } from '../time/timer-clock.js';
import type { OriginalsDeleter } from '../transcription/originals-deleter.js';
import { expiryFor, retentionDaysSetting, retentionMs } from './expiry-policy.js';
import { ensureIncrementalVacuum, reclaimSpace } from './reclaim-space.js';
import { RetentionQueries, type ExpiredMessage } from './retention-queries.js';
import { UntranscribedAdviceQueries } from './untranscribed-advice.js';
import { describeError } from '../../../shared/describe-error.js';
import { runInAsyncTransaction } from '../db/async-transaction.js';

export interface DeletedMessages {
  readonly conversationId: string;
  readonly messageIds: readonly string[];
  /**
   * 'transcribed' when their time came from a transcription's "delete later" (someone copied
   * them into a patient record), 'expired' for the retention policy or a disappearing timer.
   */
  readonly reason: Extract<DeletionReason, 'transcribed' | 'expired'>;
}

export interface SweepResult {
  readonly deleted: number;
  readonly conversations: readonly DeletedMessages[];
}

export interface RetentionServiceOptions {
  readonly profile: Pick<OpenProfile, 'db' | 'repositories' | 'closed'>;
  readonly retentionDays: number | null;
  readonly clock?: TimerClock;
  /**
   * Messages this user transcribed are deleted everywhere when their time comes (the other
   * devices also scheduled them from the transcribed notice; this covers one that missed it).
   */
  readonly deleter?: OriginalsDeleter | null;
  /** `markers`: the notices written in place of transcribed runs (to show them at once). */
  readonly onDeleted?: (
    deleted: readonly DeletedMessages[],
    markers: readonly MessageRecord[],
  ) => void;
  readonly logger?: Logger;
  /**
   * A catch-up over more than one slice of stored messages waits for this (the profile runtime:
   * until the first conversation list is on screen), so unlock's first screen does not share the
   * CPU with it. What is already due is swept first.
   */
  readonly catchUpAfter?: () => Promise<unknown>;
}

/**
 * Messages per transaction of the catch-up pass, and the pause between transactions. A slice
 * holds the core's one connection while it runs, so it is kept small enough (a few ms on a busy
 * two-core PC) that a conversation opened just after unlock waits little for its first page.
 */
const catchUpSliceSize = 250;
const catchUpPauseMs = 5;

export const retentionAuditAction = 'retention.expired_deleted';
/** Clinicians' advice deleted by retention that was neither transcribed nor "no record needed". */
export const retentionAdviceAuditAction = 'retention.untranscribed_advice_deleted';

/**
 * Deletes messages when they expire: the retention policy and each conversation's disappearing
 * timer set `expires_at`, one timer waits for the soonest expiry, and each sweep deletes what is
 * due (leaving tombstones), then reclaims the space. `start()` catches up on whatever expired
 * while the app was closed.
 */
export class RetentionService {
  private readonly queries: RetentionQueries;
  private readonly advice: UntranscribedAdviceQueries;
  private readonly clock: TimerClock;
  private readonly log: Logger;
  private timer: { handle: unknown; at: number } | null = null;
  private running: Promise<SweepResult> | null = null;
  private stopped = true;

  constructor(private readonly options: RetentionServiceOptions) {
    this.queries = new RetentionQueries(options.profile.db);
    this.advice = new UntranscribedAdviceQueries(options.profile.db, options.profile.repositories);
    this.clock = options.clock ?? systemClock;
    this.log = options.logger ?? createLogger('retention');
  }

  /**
   * Applies the policy to stored messages, deletes what is overdue, and arms the timer. The
   * catch-up over stored messages runs in slices after this returns to its caller (unlock goes
   * on to the conversation list); the returned promise settles after it and the first sweep.
   */
  async start(): Promise<SweepResult> {
    this.stopped = false;
    const { db } = this.options.profile;
    // Deleted rows are overwritten with zeros rather than left in free space in the page.
    // SQLite3 Multiple Ciphers turns this on for encrypted databases; retention must not rely
    // on a build default.
    db.pragma('secure_delete = ON');
    if (ensureIncrementalVacuum(db)) this.log.info('auto_vacuum_enabled');
    await this.catchUp();
    return this.sweep();
  }

  /**
   * Brings stored expiries in line with the policy. Messages get their expiry at insert from the
   * policy recorded here, so under an unchanged (or longer) policy only messages stored without
   * one need it; a shorter or newly set policy is applied to every message, once. A slice of
   * messages per transaction (queued behind the messaging core's units), the event loop free
   * between slices; the policy is recorded only once every slice is done, so a pass cut short
   * (the app closed, the profile locked) runs again at the next unlock.
   */
  private async catchUp(): Promise<void> {
    const { settings } = this.options.profile.repositories;
    const days = this.options.retentionDays;
    const previous = settings.get(retentionDaysSetting, z.number().int().positive().nullable());
    const ms = retentionMs(days);
    if (ms !== null && days !== null) {
      const everyMessage = previous === undefined || previous === null || days < previous;
      if (everyMessage || this.queries.anyUnscheduled()) {
        const { db } = this.options.profile;
        // A pass of one slice ends before the list is asked for, as it always did. A longer one
        // used to end after the list anyway, so waiting for the list changes only when it runs;
        // what was already due is deleted first, so that still happens before the list.
        const firstEnd = this.queries.sliceEnd(0, catchUpSliceSize);
        const longPass = firstEnd !== null && this.queries.sliceEnd(firstEnd, 1) !== null;
        if (this.options.catchUpAfter && longPass) {
          await this.sweep();
          await this.options.catchUpAfter();
        }
        let after = 0;
        for (;;) {
          // A pause, not just a turn: the renderer's first calls after unlock (the list, the
          // conversation it opens) go before each slice rather than queue behind a run of them.
          await new Promise((resolve) => setTimeout(resolve, catchUpPauseMs));
          if (this.stopped || this.options.profile.closed) return;
          const last = this.queries.sliceEnd(after, catchUpSliceSize);
          if (last === null) break;
          const from = after;
          await runInAsyncTransaction(db, () =>
            Promise.resolve(
              everyMessage
                ? this.queries.applyRetention(ms, from, last)
                : this.queries.scheduleUnscheduled(ms, from, last),
            ),
          );
          after = last;
        }
      }
    }
    if (this.stopped || this.options.profile.closed) return;
    if (previous !== days) settings.set(retentionDaysSetting, days, this.clock.now());
  }

  stop(): void {
    this.stopped = true;
    this.disarm();
  }

  /** When a new message must go; store it with the message so the timer can find it. */
  expiryForNewMessage(conversationId: string, storedAt: number): number | null {
    const conversation = this.options.profile.repositories.conversations.get(conversationId);
    return expiryFor({
      retentionDays: this.options.retentionDays,
      disappearingSeconds: conversation?.disappearingSeconds ?? null,
      storedAt,
    });
  }

  /**
   * Call after storing messages or changing expiry times: re-arms the single timer for the
   * soonest expiry. (Messages carry their expiry from insert: MessagesRepository.insert.)
   */
  reschedule(): void {
    if (this.stopped) return;
    this.arm();
  }

  /** Deletes everything due now. Runs one at a time; a call during a sweep waits for it. */
  sweep(): Promise<SweepResult> {
    const previous = this.running ?? Promise.resolve(null);
    const run = previous.then(() => this.sweepNow());
    const settled = run.finally(() => {
      if (this.running === settled) this.running = null;
    });
    this.running = settled;
    return settled;
  }

  /** The soonest expiry the timer is waiting for (null when idle), for the UI and tests. */
  armedFor(): number | null {
    return this.timer?.at ?? null;
  }

  private async sweepNow(): Promise<SweepResult> {
    // A timer that fires between the database closing and stop() finds nothing to do.
    if (this.stopped || this.options.profile.closed) return { deleted: 0, conversations: [] };
    const { repositories } = this.options.profile;
    const now = this.clock.now();
    await this.announceTranscribedDeletions(this.queries.expired(now));
    if (this.stopped || this.options.profile.closed) return { deleted: 0, conversations: [] };

    const expired = this.queries.expired(now);
    const conversations = groupByConversation(expired);
    const markers: MessageRecord[] = [];
    if (expired.length > 0) {
      this.options.profile.db.transaction(() => {
        for (const { conversationId, messageIds, reason } of conversations) {
          if (reason === 'transcribed')
            markers.push(...this.markTranscribedRuns(conversationId, messageIds, now));
          // Audited with the ids (never content), and advice that was never transcribed named
          // separately: it was listed for retentionWarningDays before this.
          const advice = this.advice.adviceAmong(messageIds);
          repositories.messages.delete(messageIds, now, reason);
          repositories.audit.append({
            at: now,
            actorAccountId: null,
            action: retentionAuditAction,
            conversationId,
            messageIds,
            details: { reason, count: messageIds.length, untranscribedAdvice: advice.length },
          });
          if (advice.length > 0) {
            repositories.audit.append({
              at: now,
              actorAccountId: null,
              action: retentionAdviceAuditAction,
              conversationId,
              messageIds: advice,
              details: { count: advice.length },
            });
          }
        }
      })();
      const reclaimed = reclaimSpace(this.options.profile.db);
      this.log.info('expired_deleted', {
        count: expired.length,
        freedPages: reclaimed.freePagesBefore - reclaimed.freePagesAfter,
        walTruncated: reclaimed.walTruncated,
      });
      this.options.onDeleted?.(conversations, markers);
    }
    this.arm();
    return { deleted: expired.length, conversations };
  }

  /** The marker in place of each run of transcribed messages (messaging/transcribed-markers.ts). */
  private markTranscribedRuns(
    conversationId: string,
    messageIds: readonly string[],
    now: number,
  ): MessageRecord[] {
    const { repositories } = this.options.profile;
    const byTranscriber = new Map<string, { at: number; ids: string[] }>();
    for (const id of messageIds) {
      const message = repositories.messages.get(id);
      if (!message?.transcribedBy) continue;
      const group = byTranscriber.get(message.transcribedBy) ?? {
        at: message.transcribedAt ?? now,
        ids: [],
      };
      group.ids.push(id);
      byTranscriber.set(message.transcribedBy, group);
    }
    return [...byTranscriber].flatMap(([transcribedBy, { at, ids }]) =>
      writeTranscribedMarkers(repositories, {
        conversationId,
        messageIds: ids,
        transcribedBy,
        transcribedAt: at,
        now,
      }),
    );
  }

  private async announceTranscribedDeletions(expired: readonly ExpiredMessage[]): Promise<void> {
    const deleter = this.options.deleter;
    const self = this.options.profile.repositories.ownIdentity.get()?.accountId ?? null;
    if (!deleter || self === null) return;
    const mine = groupByConversation(expired.filter((m) => m.transcribedBy === self));
    for (const { conversationId, messageIds } of mine) {
      try {
        await deleter.deleteForEveryone(conversationId, messageIds, 'transcribed');
      } catch (error) {
        // The other devices hold the deletion time from the transcribed notice; still delete here.
        this.log.warn('delete_for_everyone_failed', { error: describeError(error) });
      }
    }
  }

  private arm(): void {
    this.disarm();
    if (this.stopped || this.options.profile.closed) return;
    const next = this.options.profile.repositories.messages.nextExpiry();
    if (next === null) return;
    // setTimeout cannot wait longer than 2^31-1 ms (~24.8 days); a far expiry wakes up early,
    // finds nothing due, and re-arms for the rest.
    const delay = Math.min(Math.max(0, next - this.clock.now()), maxTimerDelayMs);
    const handle = this.clock.setTimeout(() => {
      this.timer = null;
      this.sweep().catch((error: unknown) => {
        // A sweep racing a lock finds the database closed: the next unlock catches up.
        if (!isMessengerError(error, 'profile_locked')) {
          this.log.error('sweep_failed', { error: describeError(error) });
        }
      });
    }, delay);
    this.timer = { handle, at: next };
  }

  private disarm(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer.handle);
    this.timer = null;
  }
}

/** One group per conversation and reason, in the order the messages came. */
function groupByConversation(messages: readonly ExpiredMessage[]): DeletedMessages[] {
  const groups = new Map<string, DeletedMessages & { messageIds: string[] }>();
  for (const m of messages) {
    const reason = m.transcribedBy === null ? 'expired' : 'transcribed';
    const key = `${reason}:${m.conversationId}`;
    const group = groups.get(key) ?? { conversationId: m.conversationId, messageIds: [], reason };
    group.messageIds.push(m.id);
    groups.set(key, group);
  }
  return [...groups.values()];
}
