import { describeError } from '../../../shared/describe-error.js';
import type { Logger } from '../log/logger.js';
import type { RoleService } from './role-service.js';

/** How often the roles this device wrote to are checked for a new holder lacking the history. */
const historyShareEveryMs = 60_000;

/**
 * While this sender has messages to roles whose acknowledgement is not settled, asks the relay
 * now and then and reports the messages whose state changed ("Acknowledged by …", "Escalated
 * to …"), so an open conversation updates by itself; does the same for messages to a role this
 * device received (a colleague acknowledged; an escalation holder who came on duty since needs a
 * copy, which this device re-seals); and about once a minute gives holders who
 * came on duty since this device wrote to their role the role conversation's recent history.
 * Offline it just tries again next time.
 */
export class RoleAlertPoller {
  private timer: NodeJS.Timeout | null = null;
  private busy = false;
  private lastHistoryShare = 0;

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
      // Received ones: a colleague's acknowledgement, and escalation holders lacking a copy.
      const received = await this.service.syncReceivedAlerts();
      const messageIds = [...alerts, ...received.changed].flatMap((id) =>
        this.service.messagesOfAlert(id),
      );
      if (messageIds.length > 0) this.changed(messageIds);
      // A handover since this device last wrote to a role: give the new holders its history.
      if (Date.now() - this.lastHistoryShare >= historyShareEveryMs) {
        this.lastHistoryShare = Date.now();
        await this.service.shareHistory();
      }
    } catch (error) {
      this.logger.info('role_alert_poll_failed', { error: describeError(error) });
    } finally {
      this.busy = false;
    }
  }
}
