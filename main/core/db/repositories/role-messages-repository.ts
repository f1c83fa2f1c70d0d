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
          alert_id) VALUES (?, ?, ?, ?, ?) ON CONFLICT (message_id) DO NOTHING`),
      get: db.prepare('SELECT * FROM role_messages WHERE message_id = ?'),
      byAlert: db.prepare('SELECT * FROM role_messages WHERE alert_id = ? ORDER BY message_id'),
      insertAlert: db.prepare(`INSERT INTO role_alerts (alert_id, direction, ack_token, state,
          escalate_at, escalate_to_name, created_at) VALUES (?, ?, ?, 'waiting', ?, ?, ?)
          ON CONFLICT (alert_id) DO NOTHING`),
      alert: db.prepare('SELECT * FROM role_alerts WHERE alert_id = ?'),
      waiting: db.prepare(
        `SELECT * FROM role_alerts WHERE state = 'waiting' AND direction = ? ORDER BY created_at`,
      ),
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
    );
  }

  get(messageId: string): RoleMessageRecord | null {
    const row = this.statements.get.get(messageId) as MessageRow | undefined;
    return row ? toMessage(row) : null;
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
