import { describeError } from '../../../shared/describe-error.js';
import type { Logger } from '../log/logger.js';
import type { RoleService } from './role-service.js';

/**
 * While this sender has messages to roles whose acknowledgement is not settled, asks the relay
 * now and then and reports the messages whose state changed ("Acknowledged by …", "Escalated
 * to …"), so an open conversation updates by itself. Offline it just tries again next time.
 */
export class RoleAlertPoller {
  private timer: NodeJS.Timeout | null = null;
  private busy = false;

  constructor(
    private readonly service: RoleService,
    private readonly changed: (messageIds: string[]) => void,
    private readonly logger: Logger,
    private readonly intervalMs = 10_000,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.poll(), this.intervalMs);
    this.timer.unref();
    void this.poll();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  async poll(): Promise<void> {
    if (this.busy || this.timer === null) return;
    this.busy = true;
    try {
      const alerts = await this.service.refreshAlerts();
      const messageIds = alerts.flatMap((id) => this.service.messagesOfAlert(id));
      if (messageIds.length > 0) this.changed(messageIds);
    } catch (error) {
      this.logger.info('role_alert_poll_failed', { error: describeError(error) });
    } finally {
      this.busy = false;
    }
  }
}
