import { systemClock, type TimerClock } from '../time/timer-clock.js';

export interface SystemClipboard {
  writeText(text: string): void;
  readText(): string;
}

export const defaultClipboardClearMs = 60_000;

/**
 * Copies clinical text and takes it off the clipboard again after a short time, so a record entry
 * does not sit there for the next person at a shared desk. Only clears if the clipboard still
 * holds what we put there: if the user has copied something else since, that is theirs.
 */
export class SensitiveClipboard {
  private pending: { text: string; handle: unknown } | null = null;

  constructor(
    private readonly clipboard: SystemClipboard,
    private readonly clock: TimerClock = systemClock,
    private readonly clearAfterMs = defaultClipboardClearMs,
  ) {}

  /** Returns when the text will be cleared. */
  copy(text: string): { clearsAt: number } {
    this.cancel();
    this.clipboard.writeText(text);
    const handle = this.clock.setTimeout(() => this.clearIfStillOurs(), this.clearAfterMs);
    this.pending = { text, handle };
    return { clearsAt: this.clock.now() + this.clearAfterMs };
  }

  /** On lock: nothing copied from a profile outlives its session. */
  clearIfStillOurs(): void {
    const pending = this.pending;
    this.cancel();
    if (pending !== null && this.clipboard.readText() === pending.text) {
      this.clipboard.writeText('');
    }
  }

  private cancel(): void {
    if (this.pending !== null) this.clock.clearTimeout(this.pending.handle);
    this.pending = null;
  }
}
