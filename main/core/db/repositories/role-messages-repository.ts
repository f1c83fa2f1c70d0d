import type { SqlDatabase } from '../encrypted-database.js';

export type AlertStateName = 'waiting' | 'acknowledged' | 'escalated';

/** Which duty role a message was addressed to (or reached by escalation). */
export interface RoleMessageRecord {
  readonly messageId: string;
  readonly roleId: string;
  readonly roleName: string;
  /** The role that did not acknowledge in time, on an escalated copy; or was empty at sending. */
  readonly escalatedFrom: string | null;
  readonly alertId: string | null;
  /** The send it is one fan-out copy of (sender's side; migration 016). */
  readonly sendId?: string | null;
  /** On a message received as role history: who it was first sent to ("Dr A Patel"). */
  readonly historyTo?: string | null;
  /** On an escalation copy re-sealed by a colleague's device: the account that first sent it. */
  readonly firstSender?: string | null;
}

/** One earlier send to a role, as the sender shares it with a new holder. */
export interface RoleSendRecord {
  readonly sendId: string;
  /** One of its copies: the text, urgency and times are the same in each. */
  readonly messageId: string;
  readonly body: string;
  readonly urgent: boolean;
  readonly sentAt: number;
  readonly alertId: string | null;
  /** Who has it: holders it was sent to and holders it was shared with. */
  readonly recipients: string[];
  /** A file's name: the file itself is not part of the history. */
  readonly fileName: string | null;
}

/** One message to a role that asks for acknowledgement, as this device knows it. */
export interface RoleAlertRecord {
  readonly alertId: string;
  readonly direction: 'outgoing' | 'incoming';
  readonly ackToken: Buffer;
  readonly state: AlertStateName;
  readonly escalateAt: number | null;
  readonly escalateToName: string | null;
  readonly acknowledgedBy: string | null;
  readonly acknowledgedAt: number | null;
  readonly escalatedAt: number | null;
  readonly createdAt: number;
}

interface MessageRow {
  message_id: string;
  role_id: string;
  role_name: string;
  escalated_from: string | null;
  alert_id: string | null;
  send_id: string | null;
  history_to: string | null;
  first_sender: string | null;
}
interface AlertRow {
  alert_id: string;
  direction: 'outgoing' | 'incoming';
  ack_token: Buffer;
  state: AlertStateName;
  escalate_at: number | null;
  escalate_to_name: string | null;
  acknowledged_by: string | null;
  acknowledged_at: number | null;
  escalated_at: number | null;
  created_at: number;
}

const toMessage = (r: MessageRow): RoleMessageRecord => ({
  messageId: r.message_id,
  roleId: r.role_id,
  roleName: r.role_name,
  escalatedFrom: r.escalated_from,
  alertId: r.alert_id,
  sendId: r.send_id,
  historyTo: r.history_to,
  firstSender: r.first_sender,
});
const toAlert = (r: AlertRow): RoleAlertRecord => ({
  alertId: r.alert_id,
  direction: r.direction,
  ackToken: r.ack_token,
  state: r.state,
  escalateAt: r.escalate_at,
  escalateToName: r.escalate_to_name,
  acknowledgedBy: r.acknowledged_by,
  acknowledgedAt: r.acknowledged_at,
  escalatedAt: r.escalated_at,
  createdAt: r.created_at,
});

/**
 * Role tags of messages and their acknowledgement alerts (migration 011). Rows are removed with
 * their message by triggers.
 */
export class RoleMessagesRepository {
  private readonly statements;

  constructor(db: SqlDatabase) {
    this.statements = {
      tag: db.prepare(`INSERT INTO role_messages (message_id, role_id, role_name, escalated_from,
          alert_id, send_id, history_to, first_sender) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
          ON CONFLICT (message_id) DO NOTHING`),
      addRecipient: db.prepare(`INSERT INTO role_send_recipients (send_id, account_id)
          VALUES (?, ?) ON CONFLICT DO NOTHING`),
      // The newest sends of this device to a role that are still within retention, one row per
      // send (its first copy), with who has each.
      sends: db.prepare(`SELECT rm.send_id, MIN(m.id) AS message_id, m.body, m.urgent,
            (SELECT a.file_name FROM attachments a WHERE a.message_id = m.id) AS file_name,
            MIN(m.sent_at) AS sent_at, rm.alert_id,
            (SELECT group_concat(account_id, char(31)) FROM role_send_recipients r
              WHERE r.send_id = rm.send_id) AS recipients
          FROM role_messages rm JOIN messages m ON m.id = rm.message_id
          WHERE rm.role_id = @roleId AND rm.send_id IS NOT NULL AND m.direction = 'outgoing'
            AND rm.history_to IS NULL AND m.sent_at >= @since
            AND (m.expires_at IS NULL OR m.expires_at > @now)
          GROUP BY rm.send_id ORDER BY sent_at DESC LIMIT @limit`),
      // CROSS JOIN keeps role_messages (a few rows, on the role_messages_by_send index) as the
      // outer loop: with a plain JOIN SQLite scanned every message, 100-150 ms at 100,000
      // messages, on the role poller's first run just after unlock.
      recentRoles: db.prepare(`SELECT DISTINCT rm.role_id FROM role_messages rm
          CROSS JOIN messages m ON m.id = rm.message_id
          WHERE rm.send_id IS NOT NULL AND m.direction = 'outgoing' AND m.sent_at >= ?`),
      get: db.prepare('SELECT * FROM role_messages WHERE message_id = ?'),
      getMany: db.prepare(
        'SELECT * FROM role_messages WHERE message_id IN (SELECT value FROM json_each(?))',
      ),
      byAlert: db.prepare('SELECT * FROM role_messages WHERE alert_id = ? ORDER BY message_id'),
      insertAlert: db.prepare(`INSERT INTO role_alerts (alert_id, direction, ack_token, state,
          escalate_at, escalate_to_name, created_at) VALUES (?, ?, ?, 'waiting', ?, ?, ?)
          ON CONFLICT (alert_id) DO NOTHING`),
      alert: db.prepare('SELECT * FROM role_alerts WHERE alert_id = ?'),
      waiting: db.prepare(
        `SELECT * FROM role_alerts WHERE state = 'waiting' AND direction = ? ORDER BY created_at`,
      ),
      incomingOpen: db.prepare(`SELECT * FROM role_alerts WHERE direction = 'incoming'
          AND acknowledged_at IS NULL AND created_at >= ? ORDER BY created_at LIMIT 100`),
      outgoingUnsettled: db.prepare(`SELECT * FROM role_alerts WHERE direction = 'outgoing'
          AND (state = 'waiting' OR (state = 'escalated' AND acknowledged_at IS NULL))
          ORDER BY created_at LIMIT 100`),
      update: db.prepare(`UPDATE role_alerts SET state = @state, escalate_at = @escalateAt,
          escalate_to_name = @escalateToName, acknowledged_by = @acknowledgedBy,
          acknowledged_at = @acknowledgedAt, escalated_at = @escalatedAt WHERE alert_id = @alertId`),
    };
  }

  tagMessage(record: RoleMessageRecord): void {
    this.statements.tag.run(
      record.messageId,
      record.roleId,
      record.roleName,
      record.escalatedFrom,
      record.alertId,
      record.sendId ?? null,
      record.historyTo ?? null,
      record.firstSender ?? null,
    );
  }

  /** Records that these people have (a copy of) the send. */
  addRecipients(sendId: string, accountIds: readonly string[]): void {
    for (const accountId of accountIds) this.statements.addRecipient.run(sendId, accountId);
  }

  /** This device's newest sends to the role since `since`, not expired at `now`, newest first. */
  recentSends(roleId: string, since: number, now: number, limit: number): RoleSendRecord[] {
    const rows = this.statements.sends.all({ roleId, since, now, limit }) as {
      send_id: string;
      message_id: string;
      body: string;
      urgent: number;
      sent_at: number;
      alert_id: string | null;
      recipients: string | null;
      file_name: string | null;
    }[];
    return rows.map((r) => ({
      sendId: r.send_id,
      messageId: r.message_id,
      body: r.body,
      urgent: r.urgent === 1,
      sentAt: r.sent_at,
      alertId: r.alert_id,
      recipients: r.recipients ? r.recipients.split('\u001f') : [],
      fileName: r.file_name,
    }));
  }

  /** Roles this device sent to since `since`. */
  rolesSentToSince(since: number): string[] {
    return this.statements.recentRoles.pluck().all(since) as string[];
  }

  get(messageId: string): RoleMessageRecord | null {
    const row = this.statements.get.get(messageId) as MessageRow | undefined;
    return row ? toMessage(row) : null;
  }

  /** The role tags of those of these messages that have one (a page of messages), by message. */
  getMany(messageIds: readonly string[]): Map<string, RoleMessageRecord> {
    const rows = this.statements.getMany.all(JSON.stringify(messageIds)) as MessageRow[];
    return new Map(rows.map((row) => [row.message_id, toMessage(row)]));
  }

  messagesOfAlert(alertId: string): RoleMessageRecord[] {
    return (this.statements.byAlert.all(alertId) as MessageRow[]).map(toMessage);
  }

  insertAlert(input: {
    alertId: string;
    direction: 'outgoing' | 'incoming';
    ackToken: Uint8Array;
    escalateAt: number | null;
    escalateToName: string | null;
    createdAt: number;
  }): void {
    this.statements.insertAlert.run(
      input.alertId,
      input.direction,
      Buffer.from(input.ackToken),
      input.escalateAt,
      input.escalateToName,
      input.createdAt,
    );
  }

  alert(alertId: string): RoleAlertRecord | null {
    const row = this.statements.alert.get(alertId) as AlertRow | undefined;
    return row ? toAlert(row) : null;
  }

  /** Outgoing alerts whose acknowledgement is still to be learned from the relay. */
  unsettledOutgoing(): RoleAlertRecord[] {
    return (this.statements.outgoingUnsettled.all() as AlertRow[]).map(toAlert);
  }

  /** Received alerts nobody is known to have acknowledged yet, since `since`. */
  incomingOpen(since: number): RoleAlertRecord[] {
    return (this.statements.incomingOpen.all(since) as AlertRow[]).map(toAlert);
  }

  waiting(direction: 'outgoing' | 'incoming'): RoleAlertRecord[] {
    return (this.statements.waiting.all(direction) as AlertRow[]).map(toAlert);
  }

  /** Records the state the relay reported; true when something changed. */
  updateAlert(
    alertId: string,
    state: {
      state: AlertStateName;
      escalateAt: number | null;
      escalateToName: string | null;
      acknowledgedBy: string | null;
      acknowledgedAt: number | null;
      escalatedAt: number | null;
    },
  ): boolean {
    const before = this.alert(alertId);
    if (!before) return false;
    const same =
      before.state === state.state &&
      before.acknowledgedBy === state.acknowledgedBy &&
      before.acknowledgedAt === state.acknowledgedAt &&
      before.escalatedAt === state.escalatedAt &&
      before.escalateAt === state.escalateAt;
    if (same) return false;
    this.statements.update.run({ alertId, ...state });
    return true;
  }
}
