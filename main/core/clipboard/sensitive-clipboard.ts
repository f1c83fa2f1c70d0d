import type { TimerClock } from '../time/timer-clock.js';

export interface SystemClipboard {
  writeText(text: string): void;
  readText(): string;
  /**
   * Writes text that must stay out of clipboard history and cloud clipboard sync (on Windows:
   * windows-private-clipboard.ts). Absent where the OS has no such history: writeText is used.
   */
  writeSensitiveText?(text: string): void;
}

/**
 * Copies clinical text and takes it off the clipboard again after a short time (policy
 * `clipboardClearSeconds`), so a record entry does not sit there for the next person at a shared
 * desk. Only clears if the clipboard still holds what we put there: if the user has copied
 * something else since, that is theirs.
 */
export class SensitiveClipboard {
  private pending: { text: string; handle: unknown } | null = null;

  constructor(
    private readonly clipboard: SystemClipboard,
    private readonly clock: TimerClock,
    private readonly clearAfterMs: number,
  ) {}

  /** Returns when the text will be cleared. */
  copy(text: string): { clearsAt: number } {
    this.cancel();
    if (this.clipboard.writeSensitiveText) this.clipboard.writeSensitiveText(text);
    else this.clipboard.writeText(text);
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
