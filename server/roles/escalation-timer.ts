import { describeError } from '../../shared/describe-error.js';
import type { RelayLogger } from '../log.js';
import type { DeliveryNotifier } from '../relay-services.js';
import type { QueueCaps } from './alert-copies.js';
import type { RoleStore } from './role-store.js';

/** What the request handlers may ask of the escalation timer. */
export interface EscalationScheduler {
  /** A new deadline may be earlier than the armed one: look again. */
  rearm(): void;
}

/**
 * Starts and ends rota shifts (duty by the imported rota) at their times, and releases held
 * escalation copies when their deadline passes, on the relay, so that escalation
 * happens with the sender's PC switched off. Deadlines live in the database, so a restarted relay
 * (or any node of a cluster) releases what fell due while it was down at its first sweep. It
 * sweeps at the earliest deadline and, as a backstop (another node's alerts, a changed clock),
 * every `sweepMs`.
 */
export class EscalationTimer implements EscalationScheduler {
  private timer: NodeJS.Timeout | null = null;
  private backstop: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly roles: RoleStore,
    private readonly delivery: DeliveryNotifier,
    private readonly logger: RelayLogger,
    private readonly clock: () => number,
    private readonly sweepMs: number,
    private readonly caps: QueueCaps,
  ) {}

  start(): Promise<void> {
    this.backstop = setInterval(() => void this.sweep(), this.sweepMs);
    this.backstop.unref();
    return this.sweep();
  }

  rearm(): void {
    void this.arm();
  }

  /** Releases everything due now; one sweep at a time. */
  sweep(): Promise<void> {
    this.running = this.running.then(async () => {
      if (this.stopped) return;
      try {
        const shifts = await this.roles.applyRota(this.clock());
        if (shifts > 0) this.logger.info('rota_applied', { shifts });
      } catch (error) {
        this.logger.error('rota_apply_failed', { error: describeError(error) });
      }
      try {
        const { alerts, devicePks } = await this.roles.releaseDue(this.clock(), this.caps);
        for (const devicePk of devicePks) this.delivery.notify(devicePk);
        for (const alertId of alerts) this.logger.info('role_alert_escalated', { alertId });
      } catch (error) {
        this.logger.error('role_escalation_failed', { error: describeError(error) });
      }
      await this.arm();
    });
    return this.running;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.backstop) clearInterval(this.backstop);
  }

  private async arm(): Promise<void> {
    if (this.stopped) return;
    let next: number | null;
    try {
      next = await this.roles.nextDeadline();
    } catch {
      return; // the backstop sweep tries again
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (next === null || this.stopped) return;
    const delay = Math.max(0, Math.min(next - this.clock(), this.sweepMs));
    this.timer = setTimeout(() => void this.sweep(), delay);
    this.timer.unref();
  }
}
