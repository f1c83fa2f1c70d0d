import type { TimerClock } from '../../../../main/core/time/timer-clock.js';

/** A clock that only moves when told to, running due timers in order as it passes them. */
export class FakeClock implements TimerClock {
  private timers = new Map<number, { at: number; callback: () => void; delay: number }>();
  private nextHandle = 1;
  readonly delays: number[] = [];

  constructor(private time: number) {}

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, delayMs: number): unknown {
    const handle = this.nextHandle++;
    this.delays.push(delayMs);
    this.timers.set(handle, { at: this.time + delayMs, callback, delay: delayMs });
    return handle;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  pending(): number {
    return this.timers.size;
  }

  /** Moves time on, firing each timer that falls due (one at a time, earliest first). */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = [...this.timers].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at);
      const first = due[0];
      if (!first) break;
      this.timers.delete(first[0]);
      this.time = Math.max(this.time, first[1].at);
      first[1].callback();
    }
    this.time = end;
  }

  set(time: number): void {
    this.time = time;
  }
}
