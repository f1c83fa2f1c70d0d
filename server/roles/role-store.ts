import { randomUUID } from 'node:crypto';
import type { AlertCheck, AlertState, HeldCopy } from '../../shared/protocol/index.js';
import { protocolLimits } from '../../shared/protocol/index.js';
import {
  activeDevicePk,
  cover,
  queueCopy,
  queueHasRoom,
  uncoveredHolders,
  type QueueCaps,
} from './alert-copies.js';
import { RelayError } from '../relay-error.js';
import type { RelayStorage } from '../storage/relay-storage.js';
import { PostgresRelayStorage } from '../storage/postgres-relay-storage.js';
import { SqliteRelayStorage } from '../storage/sqlite-relay-storage.js';
import { postgresRoleSql, sqliteRoleSql, type RoleSql } from './role-sql.js';

/** A role with the people on duty in it now (active accounts only). */
export interface RoleView {
  roleId: string;
  org: string;
  name: string;
  escalateAfterMs: number | null;
  escalateTo: { roleId: string; name: string } | null;
  holders: { accountId: string; displayName: string; since: number }[];
  createdAt: number;
}

export interface CreateRoleInput {
  org: string;
  name: string;
  escalateAfterMs: number | null;
  /** The role (id or name) an unacknowledged message goes to. */
  escalateTo: string | null;
  now: number;
}

export interface CreateAlertInput {
  org: string;
  alertId: string;
  roleId: string;
  senderAccountId: string;
  senderDeviceId: number;
  tokenHash: Uint8Array;
  copies: readonly HeldCopy[];
  /** The accounts the message itself went to (they need no escalation copy). */
  recipients?: readonly string[];
  now: number;
}

export interface ResealInput {
  org: string;
  alertId: string;
  tokenHash: Uint8Array;
  /** The device re-sealing: the copies are encrypted with its sessions, so they come from it. */
  sender: { accountId: string; deviceId: number };
  copies: readonly HeldCopy[];
  caps: QueueCaps;
  now: number;
}

interface RoleRow {
  role_id: string;
  org: string;
  name: string;
  escalate_after_ms: number | null;
  escalate_to_role_id: string | null;
  created_at: number;
}
interface AlertRow {
  alert_id: string;
  org: string;
  role_id: string;
  sender_account_id: string;
  token_hash: Uint8Array;
  created_at: number;
  escalate_at: number | null;
  escalate_to_role_id: string | null;
  escalate_to_name: string | null;
  acknowledged_by: string | null;
  acknowledged_at: number | null;
  escalated_at: number | null;
}

/** Names compare without case and surrounding spaces: "duty doctor" is "Duty Doctor". */
export const roleNameKey = (name: string) => name.trim().toLowerCase();

const uuidShape = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function alertState(row: AlertRow): AlertState {
  return {
    alertId: row.alert_id,
    roleId: row.role_id,
    state:
      row.acknowledged_at !== null
        ? 'acknowledged'
        : row.escalated_at !== null
          ? 'escalated'
          : 'waiting',
    createdAt: row.created_at,
    escalateAt: row.escalate_at,
    escalateTo:
      row.escalate_to_role_id === null
        ? null
        : { roleId: row.escalate_to_role_id, name: row.escalate_to_name ?? '' },
    acknowledgedBy: row.acknowledged_by,
    acknowledgedAt: row.acknowledged_at,
    escalatedAt: row.escalated_at,
  };
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

/**
 * Duty roles, who holds them, and messages to them awaiting acknowledgement (docs/protocol.md
 * §14), on the relay's own database (SQLite or PostgreSQL). Rules live here once; RoleSql hides
 * the backend.
 */
export class RoleStore {
  constructor(private readonly sql: RoleSql) {}

  /** The role store on the same database as the relay's store. */
  static for(storage: RelayStorage): RoleStore {
    if (storage instanceof SqliteRelayStorage) return new RoleStore(sqliteRoleSql(storage.db));
    if (storage instanceof PostgresRelayStorage)
      return new RoleStore(postgresRoleSql(storage.pool));
    throw new Error('Duty roles need the SQLite or PostgreSQL relay store.');
  }

  async listRoles(org: string): Promise<RoleView[]> {
    const rows = await this.sql.all<RoleRow>(
      'SELECT * FROM duty_roles WHERE org = ? ORDER BY name_key, role_id',
      [org],
    );
    const holders = await this.sql.all<{
      role_id: string;
      account_id: string;
      display_name: string;
      since: number;
    }>(
      `SELECT h.role_id, h.account_id, a.display_name, h.since
         FROM duty_holders h JOIN duty_roles r ON r.role_id = h.role_id
         JOIN accounts a ON a.account_id = h.account_id
        WHERE r.org = ? AND a.status = 'active' AND a.org = r.org
        ORDER BY h.since, h.account_id`,
      [org],
    );
    const names = new Map(rows.map((r) => [r.role_id, r.name]));
    return rows.map((r) => ({
      roleId: r.role_id,
      org: r.org,
      name: r.name,
      escalateAfterMs: r.escalate_after_ms,
      escalateTo:
        r.escalate_to_role_id === null
          ? null
          : { roleId: r.escalate_to_role_id, name: names.get(r.escalate_to_role_id) ?? '' },
      holders: holders
        .filter((h) => h.role_id === r.role_id)
        .map((h) => ({ accountId: h.account_id, displayName: h.display_name, since: h.since })),
      createdAt: r.created_at,
    }));
  }

  /** Every organisation that has a role. */
  async organisations(): Promise<string[]> {
    const rows = await this.sql.all<{ org: string }>(
      'SELECT DISTINCT org FROM duty_roles ORDER BY org',
    );
    return rows.map((r) => r.org);
  }

  /** A role of the organisation by id or by name; null when there is none. */
  async findRole(org: string, idOrName: string): Promise<RoleView | null> {
    const roles = await this.listRoles(org);
    return (
      roles.find((r) => r.roleId === idOrName) ??
      roles.find((r) => roleNameKey(r.name) === roleNameKey(idOrName)) ??
      null
    );
  }

  async requireRole(org: string, idOrName: string): Promise<RoleView> {
    const role = await this.findRole(org, idOrName);
    if (!role) {
      throw new RelayError('not_found', `There is no duty role "${idOrName}" in ${org}.`);
    }
    return role;
  }

  async createRole(input: CreateRoleInput): Promise<RoleView> {
    const name = input.name.trim();
    const roleId = await this.sql.transaction(async (sql) => {
      const taken = await sql.all<{ role_id: string }>(
        'SELECT role_id FROM duty_roles WHERE org = ? AND name_key = ?',
        [input.org, roleNameKey(name)],
      );
      if (taken.length > 0) {
        throw new RelayError('role_exists', `${input.org} already has a role "${name}".`);
      }
      let target: string | null = null;
      if (input.escalateTo !== null) {
        const found = await sql.all<{ role_id: string }>(
          `SELECT role_id FROM duty_roles WHERE org = ? AND (role_id = ? OR name_key = ?)`,
          [input.org, input.escalateTo, roleNameKey(input.escalateTo)],
        );
        target = found[0]?.role_id ?? null;
        if (target === null) {
          throw new RelayError(
            'not_found',
            `The escalation target "${input.escalateTo}" is not a role of ${input.org}; create it first.`,
          );
        }
      }
      const id = randomUUID();
      await sql.run(
        `INSERT INTO duty_roles (role_id, org, name, name_key, escalate_after_ms,
            escalate_to_role_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
        [id, input.org, name, roleNameKey(name), input.escalateAfterMs, target, input.now],
      );
      return id;
    });
    return (await this.findRole(input.org, roleId)) as RoleView;
  }

  /** Deletes a role and its holders; refused while another role escalates to it. */
  async deleteRole(org: string, idOrName: string): Promise<RoleView> {
    const role = await this.requireRole(org, idOrName);
    const others = (await this.listRoles(org)).filter(
      (r) => r.escalateTo?.roleId === role.roleId && r.roleId !== role.roleId,
    );
    if (others.length > 0) {
      throw new RelayError(
        'invalid_input',
        `"${others.map((r) => r.name).join('", "')}" escalate${others.length === 1 ? 's' : ''} to "${role.name}"; delete or change ${others.length === 1 ? 'that role' : 'those roles'} first.`,
      );
    }
    await this.sql.transaction(async (sql) => {
      await sql.run('DELETE FROM duty_holders WHERE role_id = ?', [role.roleId]);
      await sql.run('DELETE FROM duty_roles WHERE role_id = ?', [role.roleId]);
    });
    return role;
  }

  /** The account starts (or stops) being on duty in the role; repeating either is harmless. */
  async setDuty(
    org: string,
    idOrName: string,
    accountId: string,
    onDuty: boolean,
    now: number,
  ): Promise<RoleView> {
    const role = await this.requireRole(org, idOrName);
    if (onDuty) {
      await this.sql.run(
        `INSERT INTO duty_holders (role_id, account_id, since) VALUES (?, ?, ?)
           ON CONFLICT (role_id, account_id) DO NOTHING`,
        [role.roleId, accountId, now],
      );
    } else {
      await this.sql.run('DELETE FROM duty_holders WHERE role_id = ? AND account_id = ?', [
        role.roleId,
        accountId,
      ]);
    }
    return (await this.findRole(org, role.roleId)) as RoleView;
  }

  /**
   * Records a message to a role and holds its sealed escalation copies until it is acknowledged
   * or its role's escalate-after passes. A retry with the same alert id returns the first.
   */
  async createAlert(input: CreateAlertInput): Promise<AlertState> {
    const role = await this.requireRole(input.org, input.roleId);
    return this.sql.transaction(async (sql) => {
      const existing = await this.alertRow(sql, input.alertId);
      if (existing) {
        if (existing.sender_account_id !== input.senderAccountId) {
          throw new RelayError('invalid_input', 'That alert id is taken; choose a random one.');
        }
        return alertState(existing);
      }
      const escalateAt =
        role.escalateAfterMs === null || role.escalateTo === null
          ? null
          : input.now + role.escalateAfterMs;
      if (escalateAt !== null && input.copies.length > 0) {
        const accounts = await sql.all<{ account_id: string }>(
          `SELECT account_id FROM accounts WHERE org = ? AND status = 'active'`,
          [input.org],
        );
        const known = new Set(accounts.map((a) => a.account_id));
        const stranger = input.copies.find((c) => !known.has(c.accountId));
        if (stranger) {
          throw new RelayError('not_found', `Unknown recipient ${stranger.accountId}.`);
        }
      }
      await sql.run(
        `INSERT INTO role_alerts (alert_id, org, role_id, sender_account_id, sender_device_id,
           token_hash, created_at, escalate_at, escalate_to_role_id, escalate_to_name)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          input.alertId,
          input.org,
          role.roleId,
          input.senderAccountId,
          input.senderDeviceId,
          Buffer.from(input.tokenHash),
          input.now,
          escalateAt,
          escalateAt === null ? null : (role.escalateTo?.roleId ?? null),
          escalateAt === null ? null : (role.escalateTo?.name ?? null),
        ],
      );
      await cover(sql, input.alertId, [
        input.senderAccountId,
        ...(input.recipients ?? []),
        ...(escalateAt === null ? [] : input.copies.map((c) => c.accountId)),
      ]);
      if (escalateAt !== null) {
        for (const copy of input.copies) {
          for (const m of copy.messages) {
            await sql.run(
              `INSERT INTO role_alert_copies (alert_id, account_id, device_id, registration_id,
                 client_message_id, type, content) VALUES (?, ?, ?, ?, ?, ?, ?)`,
              [
                input.alertId,
                copy.accountId,
                m.deviceId,
                m.registrationId,
                copy.clientMessageId,
                m.type,
                Buffer.from(m.content, 'base64'),
              ],
            );
          }
        }
      }
      return alertState((await this.alertRow(sql, input.alertId)) as AlertRow);
    });
  }

  /**
   * Acknowledges an alert with its token (whose SHA-256 was given at creation). The first
   * acknowledgement wins and drops the held copies; a later one returns the same state.
   * An unknown alert or a wrong token is not_found, so ids cannot be probed.
   */
  async ackAlert(
    org: string,
    alertId: string,
    tokenHash: Uint8Array,
    accountId: string,
    now: number,
  ): Promise<AlertState> {
    return this.sql.transaction(async (sql) => {
      const row = await this.alertRow(sql, alertId);
      if (!row || row.org !== org || !sameBytes(row.token_hash, tokenHash)) {
        throw new RelayError('not_found', 'No such message awaiting acknowledgement.');
      }
      if (row.acknowledged_at === null) {
        await sql.run(
          `UPDATE role_alerts SET acknowledged_by = ?, acknowledged_at = ?
            WHERE alert_id = ? AND acknowledged_at IS NULL`,
          [accountId, now, alertId],
        );
        await sql.run('DELETE FROM role_alert_copies WHERE alert_id = ?', [alertId]);
      }
      return alertState((await this.alertRow(sql, alertId)) as AlertRow);
    });
  }

  /**
   * For devices that have a message to a role (they present its token): its state, and once it
   * has escalated unacknowledged, the escalation holders on duty now who have no copy yet.
   * Unknown alerts and wrong tokens are left out.
   */
  async checkAlerts(
    org: string,
    callerAccountId: string,
    alerts: readonly { alertId: string; tokenHash: Uint8Array }[],
  ): Promise<AlertCheck[]> {
    const checks: AlertCheck[] = [];
    for (const { alertId, tokenHash } of alerts) {
      const row = await this.alertRow(this.sql, alertId);
      if (!row || row.org !== org || !sameBytes(row.token_hash, tokenHash)) continue;
      const open = row.escalated_at !== null && row.acknowledged_at === null;
      checks.push({
        ...alertState(row),
        uncovered: open ? await uncoveredHolders(this.sql, row, callerAccountId) : [],
      });
    }
    return checks;
  }

  /**
   * Queues copies of an escalated, unacknowledged message, sealed by a device that has it, for
   * escalation holders who have none: each account at most once (the covered row is claimed
   * first, so two devices re-sealing at once, on any node, queue one copy). A copy for an
   * account that is covered or no longer uncovered is skipped; one for a full queue is not
   * queued and not claimed, to be offered again.
   */
  async reseal(input: ResealInput): Promise<{
    state: AlertState;
    delivered: string[];
    skipped: string[];
    queueFull: string[];
    devicePks: number[];
  }> {
    return this.sql.transaction(async (sql) => {
      const row = await this.alertRow(sql, input.alertId);
      if (!row || row.org !== input.org || !sameBytes(row.token_hash, input.tokenHash)) {
        throw new RelayError('not_found', 'No such message awaiting acknowledgement.');
      }
      const result = {
        state: alertState(row),
        delivered: [] as string[],
        skipped: [] as string[],
        queueFull: [] as string[],
        devicePks: [] as number[],
      };
      const open = row.escalated_at !== null && row.acknowledged_at === null;
      const uncovered = new Set(
        open ? await uncoveredHolders(sql, row, input.sender.accountId) : [],
      );
      for (const copy of input.copies) {
        if (!uncovered.has(copy.accountId)) {
          result.skipped.push(copy.accountId);
          continue;
        }
        if ((await cover(sql, input.alertId, [copy.accountId])).length === 0) {
          result.skipped.push(copy.accountId);
          continue;
        }
        const queued = await queueCopy(
          sql,
          input.org,
          {
            accountId: copy.accountId,
            clientMessageId: copy.clientMessageId,
            messages: copy.messages.map((m) => ({
              deviceId: m.deviceId,
              registrationId: m.registrationId,
              type: m.type,
              content: Buffer.from(m.content, 'base64'),
            })),
          },
          { ...input.sender, clientTimestamp: input.now },
          input.caps,
          input.now,
        );
        if (queued === null) {
          await sql.run('DELETE FROM role_alert_covered WHERE alert_id = ? AND account_id = ?', [
            input.alertId,
            copy.accountId,
          ]);
          result.queueFull.push(copy.accountId);
          continue;
        }
        result.delivered.push(copy.accountId);
        result.devicePks.push(...queued);
      }
      await sql.announceQueued(result.devicePks);
      return result;
    });
  }

  /** The sender's own alerts among these ids (others' are left out). */
  async alertStates(
    org: string,
    senderAccountId: string,
    alertIds: readonly string[],
  ): Promise<AlertState[]> {
    const states: AlertState[] = [];
    for (const id of new Set(alertIds)) {
      const row = await this.alertRow(this.sql, id);
      if (row && row.org === org && row.sender_account_id === senderAccountId) {
        states.push(alertState(row));
      }
    }
    return states;
  }

  /**
   * Releases the held copies of every alert past its deadline and not acknowledged: each copy
   * joins its device's queue like a sent envelope, under the queue caps of the send path (the
   * sender's share, then the device's total), and devices revoked or re-enrolled since are
   * skipped. A copy whose queue is full stays held and goes at a later sweep once there is room
   * (until someone acknowledges). Returns the alerts escalated now and the devices whose queues
   * grew.
   */
  async releaseDue(
    now: number,
    caps: QueueCaps = protocolLimits,
  ): Promise<{ alerts: string[]; devicePks: number[] }> {
    return this.sql.transaction(async (sql) => {
      const due = await sql.all<AlertRow & { sender_device_id: number }>(
        `SELECT * FROM role_alerts WHERE escalated_at IS NULL AND acknowledged_at IS NULL
            AND escalate_at IS NOT NULL AND escalate_at <= ? ORDER BY escalate_at, alert_id`,
        [now],
      );
      // Escalated earlier with copies still held for full queues.
      const waitingForRoom = await sql.all<AlertRow & { sender_device_id: number }>(
        `SELECT * FROM role_alerts a WHERE escalated_at IS NOT NULL AND acknowledged_at IS NULL
            AND EXISTS (SELECT 1 FROM role_alert_copies c WHERE c.alert_id = a.alert_id)
          ORDER BY escalated_at, alert_id`,
      );
      const devicePks = new Set<number>();
      const released: string[] = [];
      for (const alert of due) {
        // Claim the alert first: another node sweeping at the same moment, or an acknowledgement
        // arriving now, waits on this row and then finds it no longer due (0 rows).
        const claimed = await sql.run(
          `UPDATE role_alerts SET escalated_at = ? WHERE alert_id = ?
              AND escalated_at IS NULL AND acknowledged_at IS NULL`,
          [now, alert.alert_id],
        );
        if (claimed !== 1) continue;
        released.push(alert.alert_id);
        for (const pk of await this.releaseCopies(sql, alert, caps, now)) devicePks.add(pk);
      }
      for (const alert of waitingForRoom) {
        for (const pk of await this.releaseCopies(sql, alert, caps, now)) devicePks.add(pk);
      }
      await sql.announceQueued([...devicePks]);
      return { alerts: released, devicePks: [...devicePks] };
    });
  }

  /** Queues the held copies of an escalated alert that fit; those that do not stay held. */
  private async releaseCopies(
    sql: RoleSql,
    alert: AlertRow & { sender_device_id: number },
    caps: QueueCaps,
    now: number,
  ): Promise<number[]> {
    const copies = await sql.all<{
      account_id: string;
      device_id: number;
      registration_id: number;
      client_message_id: string;
      type: number;
      content: Uint8Array;
    }>('SELECT * FROM role_alert_copies WHERE alert_id = ? ORDER BY account_id, device_id', [
      alert.alert_id,
    ]);
    const queued: number[] = [];
    for (const copy of copies) {
      const devicePk = await activeDevicePk(
        sql,
        alert.org,
        copy.account_id,
        copy.device_id,
        copy.registration_id,
      );
      if (devicePk !== null) {
        if (!(await queueHasRoom(sql, devicePk, alert.sender_account_id, caps))) continue;
        await sql.run(
          `INSERT INTO envelopes (device_pk, sender_account_id, sender_device_id,
             client_message_id, type, content, client_timestamp, server_timestamp)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
          [
            devicePk,
            alert.sender_account_id,
            alert.sender_device_id,
            copy.client_message_id,
            copy.type,
            Buffer.from(copy.content),
            alert.created_at,
            now,
          ],
        );
        queued.push(devicePk);
      }
      await sql.run(
        'DELETE FROM role_alert_copies WHERE alert_id = ? AND account_id = ? AND device_id = ?',
        [alert.alert_id, copy.account_id, copy.device_id],
      );
    }
    return queued;
  }

  /** The earliest deadline or rota boundary still pending, to arm the relay's timer. */
  async nextDeadline(): Promise<number | null> {
    const rows = await this.sql.all<{ at: number | null }>(
      `SELECT MIN(escalate_at) AS at FROM role_alerts
        WHERE escalated_at IS NULL AND acknowledged_at IS NULL AND escalate_at IS NOT NULL
       UNION ALL SELECT MIN(starts_at) AS at FROM duty_rota WHERE started = 0 AND ended = 0
       UNION ALL SELECT MIN(ends_at) AS at FROM duty_rota WHERE ended = 0`,
    );
    const times = rows.map((r) => r.at).filter((at): at is number => at !== null);
    return times.length === 0 ? null : Math.min(...times);
  }

  /**
   * Stores a rota's shifts, all or none: each names a role of the organisation and one active
   * person (display name, unique in the organisation, or account id).
   */
  async importRota(
    org: string,
    shifts: readonly {
      line: number;
      startsAt: number;
      endsAt: number;
      role: string;
      staff: string;
    }[],
  ): Promise<
    {
      roleId: string;
      role: string;
      accountId: string;
      displayName: string;
      startsAt: number;
      endsAt: number;
    }[]
  > {
    const roles = await this.listRoles(org);
    const people = await this.sql.all<{ account_id: string; display_name: string }>(
      `SELECT account_id, display_name FROM accounts WHERE org = ? AND status = 'active'`,
      [org],
    );
    const problems: string[] = [];
    const resolved = shifts.flatMap((shift) => {
      const role =
        roles.find((r) => roleNameKey(r.name) === roleNameKey(shift.role)) ??
        roles.find((r) => r.roleId === shift.role);
      const matches = people.filter(
        (p) =>
          p.account_id === shift.staff ||
          p.display_name.trim().toLowerCase() === shift.staff.trim().toLowerCase(),
      );
      if (!role) problems.push(`line ${shift.line}: no role "${shift.role}" in ${org}`);
      if (matches.length === 0) {
        problems.push(`line ${shift.line}: nobody active called "${shift.staff}" in ${org}`);
      } else if (matches.length > 1) {
        problems.push(
          `line ${shift.line}: "${shift.staff}" names ${matches.length} people; use the account id`,
        );
      }
      const person = matches.length === 1 ? matches[0] : undefined;
      return role && person ? [{ shift, role, person }] : [];
    });
    if (problems.length > 0) {
      throw new RelayError('invalid_input', `The rota was not imported: ${problems.join('; ')}.`);
    }
    await this.sql.transaction(async (sql) => {
      for (const { shift, role, person } of resolved) {
        await sql.run(
          `INSERT INTO duty_rota (org, role_id, account_id, starts_at, ends_at)
           VALUES (?, ?, ?, ?, ?)`,
          [org, role.roleId, person.account_id, shift.startsAt, shift.endsAt],
        );
      }
    });
    return resolved.map(({ shift, role, person }) => ({
      roleId: role.roleId,
      role: role.name,
      accountId: person.account_id,
      displayName: person.display_name,
      startsAt: shift.startsAt,
      endsAt: shift.endsAt,
    }));
  }

  /**
   * Starts the duty of shifts that have begun and ends that of shifts that are over (unless
   * another shift of the same person and role covers now). Returns how many shifts changed.
   */
  async applyRota(now: number): Promise<number> {
    return this.sql.transaction(async (sql) => {
      let changed = 0;
      const ending = await sql.all<{ shift_id: number; role_id: string; account_id: string }>(
        'SELECT shift_id, role_id, account_id FROM duty_rota WHERE ended = 0 AND ends_at <= ?',
        [now],
      );
      for (const shift of ending) {
        await sql.run('UPDATE duty_rota SET started = 1, ended = 1 WHERE shift_id = ?', [
          shift.shift_id,
        ]);
        const covered = await sql.all<{ n: number }>(
          `SELECT COUNT(*) AS n FROM duty_rota WHERE role_id = ? AND account_id = ?
              AND ended = 0 AND starts_at <= ? AND ends_at > ?`,
          [shift.role_id, shift.account_id, now, now],
        );
        if ((covered[0]?.n ?? 0) === 0) {
          await sql.run('DELETE FROM duty_holders WHERE role_id = ? AND account_id = ?', [
            shift.role_id,
            shift.account_id,
          ]);
        }
        changed += 1;
      }
      const starting = await sql.all<{
        shift_id: number;
        role_id: string;
        account_id: string;
        starts_at: number;
      }>(
        `SELECT shift_id, role_id, account_id, starts_at FROM duty_rota
          WHERE started = 0 AND ended = 0 AND starts_at <= ? AND ends_at > ?`,
        [now, now],
      );
      for (const shift of starting) {
        await sql.run('UPDATE duty_rota SET started = 1 WHERE shift_id = ?', [shift.shift_id]);
        await sql.run(
          `INSERT INTO duty_holders (role_id, account_id, since) VALUES (?, ?, ?)
             ON CONFLICT (role_id, account_id) DO NOTHING`,
          [shift.role_id, shift.account_id, shift.starts_at],
        );
        changed += 1;
      }
      return changed;
    });
  }

  private async alertRow(sql: RoleSql, alertId: string): Promise<AlertRow | null> {
    const rows = await sql.all<AlertRow>('SELECT * FROM role_alerts WHERE alert_id = ?', [alertId]);
    return rows[0] ?? null;
  }
}

export { uuidShape as roleIdShape };
