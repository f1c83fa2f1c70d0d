export interface BackoffOptions {
  readonly initialMs: number;
  readonly maxMs: number;
}

/**
 * Exponential backoff with "equal jitter": half the step is fixed, half random, so retries of
 * many clients after a relay restart spread out instead of arriving together.
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const step = Math.min(options.maxMs, options.initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(step / 2 + random() * (step / 2));
}
