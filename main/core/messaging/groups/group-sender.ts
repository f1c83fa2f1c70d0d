import {
  ProtocolAddress,
  SenderKeyDistributionMessage,
  groupEncrypt,
  signalEncrypt,
} from '@signalapp/libsignal-client';
import {
  mismatchedDevicesSchema,
  multiMismatchedDevicesSchema,
  multiNotFoundSchema,
  multiStaleDevicesSchema,
  staleDevicesSchema,
  type OutgoingEnvelope,
} from '../../../../shared/protocol/index.js';
import { describeError } from '../../../../shared/describe-error.js';
import { backoffDelay } from '../backoff.js';
import { encodeContent, type Content } from '../content-codec.js';
import type { CoreContext } from '../core-context.js';
import type { DeviceTarget } from '../device-sessions.js';
import { failureReasons } from '../failure-reasons.js';
import type { MessagingEvent } from '../messaging-events.js';
import { clientMessageIdFor, newMessageId } from '../message-ids.js';
import { hasOtherDevices } from '../own-device-sync.js';
import { RelayRequestError } from '../relay/relay-http.js';
import type { GroupStates } from './group-states.js';
import type { GroupOutboxItem, GroupsStore } from './groups-store.js';

const maxRounds = 4;

export const groupFailureReasons = {
  notMember: 'You are no longer a member of this group, so the message was not sent.',
} as const;

/**
 * Sends group messages: makes sure every member device holds this device's current sender key
 * (a SenderKeyDistributionMessage over the 1:1 session, sent and accepted before the message, so
 * the relay's per-device order delivers it first), encrypts the message once with the sender key,
 * and uploads it once for all member devices (PUT /v1/messages/multi-recipient). Device lists
 * are corrected on 409/410 as for 1:1 sends. A row leaves the group outbox only when the relay
 * has accepted it, so a crash resends (the relay drops the duplicate by clientMessageId).
 */
export class GroupSender {
  private running = false;
  private again = false;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly ctx: CoreContext,
    private readonly store: GroupsStore,
    private readonly states: GroupStates,
  ) {}

  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.running = true;
    void this.run()
      .catch((error: unknown) => {
        if (!this.stopped)
          this.ctx.logger.error('group_send_failed', { error: describeError(error) });
      })
      .finally(() => {
        this.running = false;
        if (this.again && !this.stopped) {
          this.again = false;
          this.kick();
        } else {
          this.scheduleNext();
          for (const resolve of this.idleWaiters.splice(0)) resolve();
        }
      });
  }

  idle(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private scheduleNext(): void {
    if (this.stopped) return;
    const next = this.store.nextDueAt();
    if (next === null) return;
    const delay = Math.max(0, Math.min(next - this.ctx.now(), 2 ** 31 - 1));
    this.timer = setTimeout(() => {
      this.timer = null;
      this.kick();
    }, delay);
    this.timer.unref?.();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const due = this.store.due(this.ctx.now(), 32);
      if (due.length === 0) return;
      // In queue order: a group's messages reach each device in the order they were written.
      for (const item of due) {
        if (this.stopped) return;
        await this.sendOne(item);
      }
    }
  }

  private async sendOne(item: GroupOutboxItem): Promise<void> {
    const group = this.store.group(item.groupId);
    const head = this.states.head(item.groupId);
    const self = this.ctx.account.accountId;
    if (!group || !head || group.leftAt !== null || !head.members.includes(self)) {
      await this.settle(item, groupFailureReasons.notMember);
      return;
    }
    let skipped = new Set<string>();
    try {
      for (let round = 0; round < maxRounds; round += 1) {
        // The person's own other devices get it too (shown there as sent by them).
        const members = head.members.filter(
          (m) => (m !== self || hasOtherDevices(this.ctx)) && !skipped.has(m),
        );
        if (members.length === 0) {
          await this.settle(item, null);
          return;
        }
        const targets = await this.targets(members, skipped);
        await this.distributeKey(item.groupId, group.distributionId, targets);
        const recipients = [...targets].filter(([, devices]) => devices.length > 0);
        if (recipients.length === 0) {
          await this.settle(item, null);
          return;
        }
        const content = await this.ctx.tx(async () => {
          const message = await groupEncrypt(
            this.ctx.local,
            group.distributionId,
            this.ctx.stores.senderKey,
            item.payload as Uint8Array<ArrayBuffer>,
          );
          return Buffer.from(message.serialize()).toString('base64');
        });
        try {
          await this.ctx.http.call('sendMulti', {
            body: {
              clientMessageId: item.messageId
                ? clientMessageIdFor(item.messageId, item.id)
                : `g${item.id}-${item.createdAt}`,
              clientTimestamp: item.createdAt,
              type: 7,
              content,
              recipients: recipients.map(([accountId, devices]) => ({ accountId, devices })),
            },
          });
          await this.settle(item, null);
          return;
        } catch (error) {
          if (!(error instanceof RelayRequestError)) throw error;
          skipped = await this.correct(error, skipped);
        }
      }
      throw new RelayRequestError(409, 'mismatched_devices', 'device lists kept changing');
    } catch (error) {
      await this.failed(item, error);
    }
  }

  /** Sessions with every device of each member, bundles fetched on first contact. */
  private async targets(
    members: readonly string[],
    skipped: Set<string>,
  ): Promise<Map<string, DeviceTarget[]>> {
    const targets = new Map<string, DeviceTarget[]>();
    for (const member of members) {
      if (this.ctx.sessions.isBlocked(member)) {
        // Their safety number changed: nothing goes to them until the user acknowledges it.
        this.ctx.logger.warn('group_member_blocked', { accountId: member });
        skipped.add(member);
        continue;
      }
      try {
        targets.set(member, await this.ctx.sessions.ensure(member));
      } catch (error) {
        if (error instanceof RelayRequestError && error.code === 'not_found') {
          skipped.add(member);
          continue;
        }
        throw error;
      }
    }
    return targets;
  }

  /**
   * Gives this device's current sender key to every member device that does not hold it yet, as
   * 1:1 content, all of an account's devices at once (the relay wants the full list).
   */
  private async distributeKey(
    groupId: string,
    distributionId: string,
    targets: Map<string, DeviceTarget[]>,
  ): Promise<void> {
    const state = this.states.headSigned(groupId);
    if (!state) return;
    for (const [accountId, initial] of targets) {
      let devices = initial;
      if (devices.every((d) => this.store.hasShare(distributionId, accountId, d.deviceId)))
        continue;
      for (let round = 0; ; round += 1) {
        const envelopes = await this.ctx.tx(async () => {
          const skdm = await SenderKeyDistributionMessage.create(
            this.ctx.local,
            distributionId,
            this.ctx.stores.senderKey,
          );
          const now = this.ctx.now();
          const content: Content = {
            v: 1,
            id: newMessageId(now),
            sentAt: now,
            groupId,
            kind: 'group-sender-key',
            distributionId,
            skdm: Buffer.from(skdm.serialize()).toString('base64'),
            state,
          };
          const bytes = encodeContent(content) as Uint8Array<ArrayBuffer>;
          const list: OutgoingEnvelope[] = [];
          for (const device of devices) {
            const message = await signalEncrypt(
              bytes,
              ProtocolAddress.new(accountId, device.deviceId),
              this.ctx.local,
              this.ctx.stores.session,
              this.ctx.stores.identity,
              new Date(now),
            );
            list.push({
              deviceId: device.deviceId,
              registrationId: device.registrationId,
              type: message.type() as OutgoingEnvelope['type'],
              content: Buffer.from(message.serialize()).toString('base64'),
            });
          }
          return { list, id: content.id, sentAt: now };
        });
        try {
          await this.ctx.http.call('sendMessage', {
            params: { accountId },
            body: {
              clientMessageId: envelopes.id,
              clientTimestamp: envelopes.sentAt,
              messages: envelopes.list,
            },
          });
          break;
        } catch (error) {
          if (round >= 2 || !(error instanceof RelayRequestError)) throw error;
          if (error.code === 'mismatched_devices') {
            await this.ctx.sessions.applyMismatch(
              accountId,
              mismatchedDevicesSchema.parse(error.details),
            );
          } else if (error.code === 'stale_devices') {
            const { staleDevices } = staleDevicesSchema.parse(error.details);
            await this.ctx.sessions.applyStale(accountId, staleDevices);
          } else {
            throw error;
          }
          devices = await this.ctx.sessions.targets(accountId);
          targets.set(accountId, devices);
        }
      }
      await this.ctx.tx(async () => {
        for (const device of devices)
          this.store.addShare(distributionId, accountId, device.deviceId);
      });
    }
  }

  /** After a refused multi-recipient send: correct each named account's devices, or drop it. */
  private async correct(error: RelayRequestError, skipped: Set<string>): Promise<Set<string>> {
    switch (error.code) {
      case 'mismatched_devices':
        for (const account of multiMismatchedDevicesSchema.parse(error.details).accounts) {
          await this.ctx.sessions.applyMismatch(
            account.accountId,
            mismatchedDevicesSchema.parse(account),
          );
        }
        return skipped;
      case 'stale_devices':
        for (const account of multiStaleDevicesSchema.parse(error.details).accounts) {
          await this.ctx.sessions.applyStale(account.accountId, account.staleDevices);
        }
        return skipped;
      case 'not_found':
        // They left the practice: the group message still reaches everyone else.
        for (const accountId of multiNotFoundSchema.parse(error.details).accountIds) {
          skipped.add(accountId);
        }
        return skipped;
      default:
        throw error;
    }
  }

  private async failed(item: GroupOutboxItem, error: unknown): Promise<void> {
    const retryable =
      !(error instanceof RelayRequestError) || error.retryable || error.code === 'bad_response';
    const tooOld = this.ctx.now() - item.createdAt > this.ctx.tuning.giveUpAfterMs;
    const code =
      error instanceof RelayRequestError
        ? error.code
        : error instanceof Error
          ? error.name
          : 'unknown';
    if (
      error instanceof RelayRequestError &&
      ['remote_wipe', 'device_revoked', 'unauthorized'].includes(error.code)
    ) {
      this.stop();
      this.ctx.fatal(
        error.code === 'remote_wipe'
          ? 'wipe'
          : error.code === 'device_revoked'
            ? 'revoked'
            : 'unauthorized',
      );
      return;
    }
    if (retryable && !tooOld) {
      const wait = Math.max(
        backoffDelay(item.attempts, this.ctx.tuning.outboxBackoff),
        error instanceof RelayRequestError && error.retryAfterMs ? error.retryAfterMs : 0,
      );
      await this.ctx.tx(async () => this.store.failItem(item.id, code, this.ctx.now() + wait));
      return;
    }
    this.ctx.logger.warn('group_send_gave_up', { groupId: item.groupId, errorCode: code });
    await this.settle(
      item,
      error instanceof RelayRequestError && !tooOld
        ? failureReasons.refused(error.code, error.message)
        : failureReasons.gaveUp(item.attempts + 1),
    );
  }

  /** Removes the row and moves the message to sent (reason null) or failed. */
  private async settle(item: GroupOutboxItem, failure: string | null): Promise<void> {
    await this.ctx.txEmit(async (emit: (event: MessagingEvent) => void) => {
      this.store.removeItem(item.id);
      if (!item.messageId) return;
      const status = failure === null ? 'sent' : 'failed';
      if (!this.ctx.repos.messages.updateStatus(item.messageId, status, failure ?? undefined))
        return;
      emit({
        type: 'message.status',
        conversationId: item.groupId,
        messageId: item.messageId,
        status,
        failureReason: failure,
      });
    });
  }
}
