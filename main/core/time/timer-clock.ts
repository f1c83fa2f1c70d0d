/** Time and timers behind one interface, so tests can move time without waiting for it. */
export interface TimerClock {
  now(): number;
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** setTimeout fires at once for any delay above this (Node and browsers store it in 32 bits). */
export const maxTimerDelayMs = 2 ** 31 - 1;

export const systemClock: TimerClock = {
  now: () => Date.now(),
  setTimeout: (callback, delayMs) => {
    const handle = setTimeout(callback, delayMs);
    // A pending clean-up must not keep a CLI process alive.
    handle.unref();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
