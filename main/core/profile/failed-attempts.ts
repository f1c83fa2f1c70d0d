import { existsSync, readFileSync, rmSync } from 'node:fs';
import { z } from 'zod';
import { MessengerError } from '../../../shared/errors.js';
import type { Logger } from '../log/logger.js';
import { writeFileAtomic } from './atomic-file.js';

export const ATTEMPTS_FILE = 'attempts.json';

export interface AttemptPolicy {
  /** Failures allowed before any delay. */
  readonly freeFailures: number;
  /** Delay after the first delayed failure; doubles with each further failure. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/** 3 free tries, then 1 s, 2 s, 4 s ... capped at 5 minutes. */
export const DEFAULT_ATTEMPT_POLICY: AttemptPolicy = {
  freeFailures: 3,
  baseDelayMs: 1000,
  maxDelayMs: 5 * 60 * 1000,
};

const attemptsSchema = z.strictObject({
  failures: z.number().int().min(0),
  lastFailureAt: z.number().int().min(0),
});

export interface AttemptState {
  readonly failures: number;
  /** When the next try is allowed; null when it is allowed now. */
  readonly retryAt: number | null;
  /** When the last wrong passcode was typed, while any are counted (for the audit's burst). */
  readonly lastFailureAt?: number;
}

export function delayAfter(failures: number, policy: AttemptPolicy): number {
  if (failures < policy.freeFailures) return 0;
  const exponent = Math.min(failures - policy.freeFailures, 30);
  return Math.min(policy.baseDelayMs * 2 ** exponent, policy.maxDelayMs);
}

/**
 * Failed-unlock counter for one profile, kept in its own small file beside the metadata (not
 * secret, and kept apart so that frequent writes never put the metadata at risk). It survives a
 * restart. It slows guessing through the app; it is not a barrier against someone who can
 * edit the file, who is already stopped by scrypt plus the keychain secret.
 */
export class FailedAttempts {
  constructor(
    private readonly file: string,
    private readonly policy: AttemptPolicy,
    private readonly logger: Logger,
  ) {}

  state(now: number): AttemptState {
    const record = this.read();
    if (!record) return { failures: 0, retryAt: null };
    // A clock set backwards must not lock the user out for the size of the jump.
    const last = Math.min(record.lastFailureAt, now);
    const retryAt = last + delayAfter(record.failures, this.policy);
    return {
      failures: record.failures,
      retryAt: retryAt > now ? retryAt : null,
      lastFailureAt: record.lastFailureAt,
    };
  }

  /** Throws too_many_attempts while a delay is running. */
  assertMayTry(now: number): void {
    const { failures, retryAt } = this.state(now);
    if (retryAt === null) return;
    const seconds = Math.ceil((retryAt - now) / 1000);
    throw new MessengerError(
      'too_many_attempts',
      `Too many wrong passcodes (${failures}). Try again in ${seconds} s.`,
      { failures, retryAt: new Date(retryAt).toISOString(), retryInSeconds: seconds },
    );
  }

  recordFailure(now: number): AttemptState {
    const failures = (this.read()?.failures ?? 0) + 1;
    writeFileAtomic(this.file, `${JSON.stringify({ failures, lastFailureAt: now })}\n`);
    const delay = delayAfter(failures, this.policy);
    return { failures, retryAt: delay > 0 ? now + delay : null };
  }

  reset(): void {
    rmSync(this.file, { force: true });
  }

  private read(): z.infer<typeof attemptsSchema> | null {
    if (!existsSync(this.file)) return null;
    try {
      return attemptsSchema.parse(JSON.parse(readFileSync(this.file, 'utf8')));
    } catch {
      // Do not hand out a free reset: keep the count at the delay threshold, so the next
      // failure is delayed. (Not "locked now": that would lock a user out for good.)
      this.logger.warn('attempts_file_unreadable');
      return { failures: this.policy.freeFailures, lastFailureAt: 0 };
    }
  }
}
