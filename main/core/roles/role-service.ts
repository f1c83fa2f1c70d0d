import { createHash, randomBytes } from 'node:crypto';
import { MessengerError } from '../../../shared/errors.js';
import type { AlertState, HeldCopy, RoleEntry } from '../../../shared/protocol/index.js';
import {
  RoleMessagesRepository,
  type RoleAlertRecord,
} from '../db/repositories/role-messages-repository.js';
import type { Content } from '../messaging/content-codec.js';
import { newMessageId, nextSentAt } from '../messaging/message-ids.js';
import { toMessengerError, type MessagingCore } from '../messaging/messaging-core.js';
import { describeError } from '../../../shared/describe-error.js';
import type { SendFileInput } from '../messaging/attachments/attachment-transfers.js';
import { fileNotice, RoleHistorySharer, roleHistoryWindowMs } from './role-history.js';

/** A role as the directory shows it: holders with their names. */
export interface RoleView {
  readonly roleId: string;
  readonly name: string;
  readonly escalateAfterMs: number | null;
  readonly escalateTo: { readonly roleId: string; readonly name: string } | null;
  readonly holders: RoleHolder[];
  /** This account is on duty in it. */
  readonly onDuty: boolean;
}
export interface RoleHolder {
  readonly accountId: string;
  readonly displayName: string;
  readonly since: number;
}

/** Where a message to a role would go now: told to the sender before sending. */
export interface RoleSendPlan {
  readonly role: RoleView;
  /** The people it goes to (never the sender). */
  readonly holders: RoleHolder[];
  /** Nobody holds the role: it goes to its escalation target instead (null when it does not). */
  readonly redirectedTo: RoleView | null;
}

export interface RoleSendResult {
  readonly alertId: string | null;
  readonly role: { readonly roleId: string; readonly name: string };
  /** Set when nobody held the role and the message went to its escalation target. */
  readonly redirectedFrom: string | null;
  readonly holders: (RoleHolder & { readonly messageId: string })[];
  readonly escalation: {
    readonly to: string;
    readonly at: number | null;
    readonly holders: string[];
  } | null;
}

/** What a sender or a holder sees of a message's acknowledgement. */
export interface AlertView {
  readonly alertId: string;
  readonly state: 'waiting' | 'acknowledged' | 'escalated';
  readonly acknowledgedBy: string | null;
  readonly acknowledgedByName: string | null;
  readonly acknowledgedAt: number | null;
  readonly escalatedTo: string | null;
  readonly escalatedAt: number | null;
  readonly escalateAt: number | null;
}

/** How long a received message to a role is followed for a colleague's acknowledgement. */
const receivedAlertHorizonMs = 24 * 3600_000;

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest();
const nameKey = (name: string) => name.trim().toLowerCase();

/**
 * Duty roles on the client (issue 15): the roles and who holds them, starting and stopping duty,
 * sending to a role by fanning out to each holder over the existing 1:1 sessions (a role
 * conversation on group sessions can replace the fan-out later without changing the relay), and
 * the acknowledgement loop: the token inside the message, the sealed escalation copies the relay
 * holds, and the state the relay reports back.
 */
export class RoleService {
  private readonly repo: RoleMessagesRepository;
  private readonly history: RoleHistorySharer;

  constructor(
    private readonly core: MessagingCore,
    private readonly now: () => number = Date.now,
  ) {
    this.repo = new RoleMessagesRepository(core.openProfile.db);
    this.history = new RoleHistorySharer(core, this.repo, now);
  }

  private get self(): string {
    return this.core.account.accountId;
  }

  private displayName(accountId: string): string {
    return this.core.openProfile.repositories.contacts.get(accountId)?.displayName ?? accountId;
  }

  private async call<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw toMessengerError(error);
    }
  }

  /** The organisation's roles with their holders' names (the directory is refreshed too). */
  async list(): Promise<RoleView[]> {
    const { roles } = await this.call(() => this.core.relay.call('roles'));
    const unknown = roles.some((r) =>
      r.holders.some((h) => !this.core.openProfile.repositories.contacts.get(h.accountId)),
    );
    if (unknown) await this.core.refreshDirectory().catch(() => undefined);
    return roles.map((r) => this.view(r));
  }

  private view(entry: RoleEntry): RoleView {
    return {
      roleId: entry.roleId,
      name: entry.name,
      escalateAfterMs: entry.escalateAfterMs,
      escalateTo: entry.escalateTo,
      holders: entry.holders.map((h) => ({
        accountId: h.accountId,
        displayName: this.displayName(h.accountId),
        since: h.since,
      })),
      onDuty: entry.holders.some((h) => h.accountId === this.self),
    };
  }

  private static pick(roles: readonly RoleView[], nameOrId: string): RoleView {
    const role =
      roles.find((r) => r.roleId === nameOrId) ??
      roles.find((r) => nameKey(r.name) === nameKey(nameOrId));
    if (!role) {
      throw new MessengerError(
        'not_found',
        `There is no duty role "${nameOrId}". Roles: ${roles.map((r) => r.name).join(', ') || 'none yet'}.`,
      );
    }
    return role;
  }

  async find(nameOrId: string): Promise<RoleView> {
    return RoleService.pick(await this.list(), nameOrId);
  }

  /** Starts or stops this account's duty in a role. */
  async setDuty(nameOrId: string, onDuty: boolean): Promise<RoleView> {
    const role = await this.find(nameOrId);
    const entry = await this.call(() =>
      this.core.relay.call('duty', { params: { roleId: role.roleId }, body: { onDuty } }),
    );
    const at = this.now();
    this.core.openProfile.repositories.audit.append({
      at,
      actorAccountId: this.self,
      action: onDuty ? 'duty_started' : 'duty_stopped',
      conversationId: null,
      details: { roleId: role.roleId },
    });
    return this.view(entry);
  }

  /** A manager creates a role (the relay refuses others). */
  async create(input: {
    name: string;
    escalateAfterMs: number | null;
    escalateTo: string | null;
  }): Promise<RoleView> {
    const target = input.escalateTo === null ? null : await this.find(input.escalateTo);
    const entry = await this.call(() =>
      this.core.relay.call('createRole', {
        body: {
          name: input.name,
          escalateAfterMs: input.escalateAfterMs,
          escalateToRoleId: target?.roleId ?? null,
        },
      }),
    );
    return this.view(entry);
  }

  async remove(nameOrId: string): Promise<void> {
    const role = await this.find(nameOrId);
    await this.call(() => this.core.relay.call('deleteRole', { params: { roleId: role.roleId } }));
  }

  /** Where a message to the role goes now; the sender sees this before sending. */
  async plan(nameOrId: string): Promise<RoleSendPlan> {
    const roles = await this.list();
    const role = RoleService.pick(roles, nameOrId);
    const holders = role.holders.filter((h) => h.accountId !== this.self);
    if (holders.length > 0 || role.escalateTo === null) {
      return { role, holders, redirectedTo: null };
    }
    const target = RoleService.pick(roles, role.escalateTo.roleId);
    return {
      role,
      holders: target.holders.filter((h) => h.accountId !== this.self),
      redirectedTo: target,
    };
  }

  /**
   * Sends a text to whoever holds the role now, one copy in each holder's direct conversation.
   * An urgent message (or one asking for it) carries an acknowledgement token; when the role
   * escalates, the copies for the escalation target are sealed now and held by the relay, so
   * escalation happens even if this PC is off. With nobody on duty the message goes to the
   * escalation target only when `toEscalation` confirms the sender was told; that is audited.
   */
  async send(
    nameOrId: string,
    text: string,
    options: {
      urgent?: boolean;
      requestAck?: boolean;
      toEscalation?: boolean;
      /** A file, sent to each holder over their 1:1 session like any file; `text` is its caption. */
      file?: SendFileInput;
    } = {},
  ): Promise<RoleSendResult> {
    const plan = await this.plan(nameOrId);
    const { role } = plan;
    if (plan.holders.length === 0) {
      const target = plan.redirectedTo;
      throw new MessengerError(
        'conflict',
        target
          ? `Nobody is on duty as ${role.name}, nor as ${target.name}, its escalation target. Nothing was sent.`
          : `Nobody is on duty as ${role.name} and it has no escalation target. Nothing was sent.`,
        { reason: 'no_holder', role: role.name },
      );
    }
    if (plan.redirectedTo && !options.toEscalation) {
      throw new MessengerError(
        'conflict',
        `Nobody is on duty as ${role.name}. It would go to ${plan.redirectedTo.name} (${plan.holders
          .map((h) => h.displayName)
          .join(', ')}) instead; confirm to send it there. Nothing was sent.`,
        { reason: 'no_holder', role: role.name, escalateTo: plan.redirectedTo.name },
      );
    }
    const effective = plan.redirectedTo ?? role;
    const urgent = options.urgent === true;
    const wantsAck = urgent || options.requestAck === true;
    let alert: { alertId: string; token: Buffer } | null = null;
    let escalation: RoleSendResult['escalation'] = null;
    if (wantsAck) {
      alert = { alertId: randomBytes(16).toString('base64url'), token: randomBytes(32) };
      // A file's blob is for the holders' devices only (the relay deletes it once they have it),
      // so an escalation copy carries the caption and names the file instead.
      const escalationText = options.file
        ? [text, fileNotice(options.file)].filter((t) => t !== '').join('\n')
        : text;
      escalation = await this.registerAlert(
        effective,
        alert,
        escalationText,
        urgent,
        plan.holders.map((h) => h.accountId),
      );
    }
    // A holder who came on duty since earlier messages to the role first gets those (history).
    await this.history.shareWith(
      effective,
      plan.holders.map((h) => h.accountId),
    );
    const sendId = randomBytes(12).toString('base64url');
    const sent: (RoleHolder & { messageId: string })[] = [];
    for (const holder of plan.holders) {
      const conversation = await this.core.openDirect(holder.accountId);
      const tag = {
        roleId: effective.roleId,
        roleName: effective.name,
        escalatedFrom: plan.redirectedTo ? role.name : null,
        alertId: alert?.alertId ?? null,
        sendId,
      };
      const message = options.file
        ? await this.core.attachments.send(
            conversation.id,
            { ...options.file, ...(text ? { caption: text } : {}) },
            { urgent, role: tag },
          )
        : await this.core.actions.sendText(conversation.id, text, { urgent, role: tag });
      sent.push({ ...holder, messageId: message.id });
    }
    if (plan.redirectedTo) {
      this.core.openProfile.repositories.audit.append({
        at: this.now(),
        actorAccountId: this.self,
        action: 'role_message_redirected',
        conversationId: null,
        messageIds: sent.map((s) => s.messageId),
        details: { fromRoleId: role.roleId, toRoleId: effective.roleId },
      });
    }
    return {
      alertId: alert?.alertId ?? null,
      role: { roleId: effective.roleId, name: effective.name },
      redirectedFrom: plan.redirectedTo ? role.name : null,
      holders: sent,
      escalation,
    };
  }

  /** Seals the escalation copies and registers the alert with the relay before anything is sent. */
  private async registerAlert(
    role: RoleView,
    alert: { alertId: string; token: Buffer },
    text: string,
    urgent: boolean,
    recipients: readonly string[],
  ): Promise<RoleSendResult['escalation']> {
    const roles = role.escalateTo ? await this.list() : [];
    const target = role.escalateTo ? RoleService.pick(roles, role.escalateTo.roleId) : null;
    const copies: HeldCopy[] = [];
    const reached: string[] = [];
    for (const holder of target?.holders ?? []) {
      if (holder.accountId === this.self) continue;
      const sentAt = nextSentAt(this.now());
      const content: Content = {
        v: 1,
        id: newMessageId(sentAt),
        sentAt,
        kind: 'text',
        text,
        ...(urgent ? { urgent: true } : {}),
        role: {
          v: 1,
          roleId: (target as RoleView).roleId,
          name: (target as RoleView).name,
          escalatedFrom: role.name,
          alertId: alert.alertId,
          ackToken: alert.token.toString('base64'),
        },
      };
      try {
        copies.push(await this.core.encryptCopy(holder.accountId, content));
        reached.push(holder.displayName);
      } catch (error) {
        // One holder we cannot encrypt to (a changed safety number) must not stop the message.
        this.core.openProfile.repositories.audit.append({
          at: this.now(),
          actorAccountId: this.self,
          action: 'role_escalation_copy_skipped',
          conversationId: null,
          details: { accountId: holder.accountId, error: describeError(error) },
        });
      }
    }
    const state = await this.call(() =>
      this.core.relay.call('createAlert', {
        body: {
          alertId: alert.alertId,
          roleId: role.roleId,
          tokenHash: sha256(alert.token).toString('base64'),
          copies,
          recipients: [...recipients],
        },
      }),
    );
    this.repo.insertAlert({
      alertId: alert.alertId,
      direction: 'outgoing',
      ackToken: alert.token,
      escalateAt: state.escalateAt,
      escalateToName: state.escalateTo?.name ?? null,
      createdAt: state.createdAt,
    });
    return target ? { to: target.name, at: state.escalateAt, holders: reached } : null;
  }

  /**
   * Gives the current holders of the roles this device wrote to recently the messages they lack
   * (a handover since): the app calls it now and then, so a new holder has the history before
   * the next message. Returns how many messages went to how many holders.
   */
  async shareHistory(): Promise<{ holders: number; messages: number }> {
    const roleIds = this.repo.rolesSentToSince(this.now() - roleHistoryWindowMs);
    if (roleIds.length === 0) return { holders: 0, messages: 0 };
    const roles = await this.list();
    let holders = 0;
    let messages = 0;
    for (const role of roles.filter((r) => roleIds.includes(r.roleId))) {
      const shared = await this.history.shareWith(
        role,
        role.holders.map((h) => h.accountId),
      );
      holders += shared.size;
      for (const n of shared.values()) messages += n;
    }
    return { holders, messages };
  }

  /** Acknowledges a received role message; a second acknowledgement (anyone's) is harmless. */
  async acknowledge(messageId: string): Promise<AlertView> {
    const message = this.core.openProfile.repositories.messages.get(messageId);
    const tagged = this.repo.get(messageId);
    if (!message || message.direction !== 'incoming' || !tagged) {
      throw new MessengerError(
        'not_found',
        'There is no message to a duty role with that id here.',
      );
    }
    const alert = tagged.alertId ? this.repo.alert(tagged.alertId) : null;
    if (!alert) {
      throw new MessengerError('invalid_input', 'That message does not ask for acknowledgement.');
    }
    const state = await this.call(() =>
      this.core.relay.call('ackAlert', {
        body: { alertId: alert.alertId, token: alert.ackToken.toString('base64') },
      }),
    );
    this.record(state);
    return this.alertView(alert.alertId) as AlertView;
  }

  /** Asks the relay about this sender's unsettled alerts; returns the ids whose state changed. */
  async refreshAlerts(): Promise<string[]> {
    const unsettled = this.repo.unsettledOutgoing();
    if (unsettled.length === 0) return [];
    const { alerts } = await this.call(() =>
      this.core.relay.call('alertStatus', { body: { alertIds: unsettled.map((a) => a.alertId) } }),
    );
    return alerts.filter((state) => this.record(state)).map((s) => s.alertId);
  }

  /**
   * For messages to a role this device received and nobody is known to have acknowledged: learns
   * from the relay whether a colleague acknowledged (so "Acknowledge" becomes "Acknowledged by Dr
   * X at 14:02" here too), and, once one escalated, re-seals it to escalation holders who came on
   * duty after it was sent and so have no copy (the relay lets each have one). Returns the alerts
   * whose state changed here.
   */
  async syncReceivedAlerts(
    options: { reseal?: boolean } = {},
  ): Promise<{ changed: string[]; resealed: number }> {
    const open = this.repo.incomingOpen(this.now() - receivedAlertHorizonMs);
    if (open.length === 0) return { changed: [], resealed: 0 };
    const { alerts } = await this.call(() =>
      this.core.relay.call('alertCheck', {
        body: {
          alerts: open.map((a) => ({ alertId: a.alertId, token: a.ackToken.toString('base64') })),
        },
      }),
    );
    const changed = alerts.filter((state) => this.record(state)).map((s) => s.alertId);
    let resealed = 0;
    for (const check of options.reseal === false ? [] : alerts) {
      if (check.uncovered.length === 0 || check.escalateTo === null) continue;
      const alert = open.find((a) => a.alertId === check.alertId);
      if (alert) resealed += await this.reseal(alert, check.escalateTo, check.uncovered);
    }
    return { changed, resealed };
  }

  /** Seals the message of an escalated alert to these accounts and hands the copies to the relay. */
  private async reseal(
    alert: RoleAlertRecord,
    escalateTo: { roleId: string; name: string },
    accountIds: readonly string[],
  ): Promise<number> {
    const tagged = this.repo.messagesOfAlert(alert.alertId)[0];
    const message = tagged
      ? this.core.openProfile.repositories.messages.get(tagged.messageId)
      : null;
    if (!tagged || !message) return 0;
    const file = this.core.openProfile.repositories.attachments.get(message.id);
    const text = file
      ? [message.body, fileNotice({ name: file.fileName })].filter((t) => t !== '').join('\n')
      : message.body;
    if (text === '') return 0;
    const sentAt = nextSentAt(this.now());
    const content: Content = {
      v: 1,
      id: newMessageId(sentAt),
      sentAt,
      kind: 'text',
      text,
      ...(message.urgent ? { urgent: true } : {}),
      role: {
        v: 1,
        roleId: escalateTo.roleId,
        name: escalateTo.name,
        escalatedFrom: tagged.escalatedFrom ?? tagged.roleName,
        alertId: alert.alertId,
        ackToken: alert.ackToken.toString('base64'),
        firstSender: tagged.firstSender ?? message.senderAccountId,
      },
    };
    const copies: HeldCopy[] = [];
    for (const accountId of accountIds) {
      try {
        copies.push(await this.core.encryptCopy(accountId, content));
      } catch (error) {
        this.core.openProfile.repositories.audit.append({
          at: this.now(),
          actorAccountId: this.self,
          action: 'role_escalation_copy_skipped',
          conversationId: null,
          details: { accountId, error: describeError(error) },
        });
      }
    }
    if (copies.length === 0) return 0;
    const result = await this.call(() =>
      this.core.relay.call('alertReseal', {
        body: {
          alertId: alert.alertId,
          token: alert.ackToken.toString('base64'),
          copies,
        },
      }),
    );
    this.record(result.state);
    return result.delivered.length;
  }

  private record(state: AlertState): boolean {
    return this.repo.updateAlert(state.alertId, {
      state: state.state,
      escalateAt: state.escalateAt,
      escalateToName: state.escalateTo?.name ?? null,
      acknowledgedBy: state.acknowledgedBy,
      acknowledgedAt: state.acknowledgedAt,
      escalatedAt: state.escalatedAt,
    });
  }

  /** This device's messages that carry an alert (one per holder it was sent to). */
  messagesOfAlert(alertId: string): string[] {
    return this.repo.messagesOfAlert(alertId).map((m) => m.messageId);
  }

  /** The role a message went to or came through, with its acknowledgement; null if none. */
  roleOf(
    messageId: string,
  ): { roleName: string; escalatedFrom: string | null; alert: AlertView | null } | null {
    const tagged = this.repo.get(messageId);
    if (!tagged) return null;
    return {
      roleName: tagged.roleName,
      escalatedFrom: tagged.escalatedFrom,
      alert: tagged.alertId ? this.alertView(tagged.alertId) : null,
    };
  }

  alertView(alertId: string): AlertView | null {
    const alert: RoleAlertRecord | null = this.repo.alert(alertId);
    if (!alert) return null;
    return {
      alertId,
      state: alert.state,
      acknowledgedBy: alert.acknowledgedBy,
      acknowledgedByName: alert.acknowledgedBy ? this.displayName(alert.acknowledgedBy) : null,
      acknowledgedAt: alert.acknowledgedAt,
      escalatedTo: alert.escalateToName,
      escalatedAt: alert.escalatedAt,
      escalateAt: alert.escalateAt,
    };
  }
}
