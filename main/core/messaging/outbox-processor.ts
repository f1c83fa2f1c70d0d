import { ErrorCode, LibSignalErrorBase } from '@signalapp/libsignal-client';
import {
  mismatchedDevicesSchema,
  staleDevicesSchema,
  type OutgoingEnvelope,
} from '../../../shared/protocol/index.js';
import { isMessengerError } from '../../../shared/errors.js';
import type { OutboxItem } from '../db/repositories/outbox-repository.js';
import { backoffDelay } from './backoff.js';
import { decodeContent, encodeContent, type Content } from './content-codec.js';
import type { CoreContext } from './core-context.js';
import { IdentityChangedError, type DeviceTarget } from './device-sessions.js';
import type { MessagingEvent } from './messaging-events.js';
import { clientMessageIdFor, newMessageId } from './message-ids.js';
import { failureReasons } from './failure-reasons.js';
import { RelayRequestError } from './relay/relay-http.js';
import { RelaySends } from './relay/relay-sends.js';
import { describeError } from '../../../shared/describe-error.js';
import { syncHasNoTarget } from './own-device-sync.js';
import { encryptForDevices, sealedForTargets } from './encrypt-for-devices.js';

/** One request to the relay: one content, standing for one or more outbox rows. */
interface SendUnit {
  readonly outboxIds: readonly number[];
  readonly messageId: string | null;
  readonly content: Content;
  readonly bytes: Uint8Array;
  /** Encrypted when it was queued (seal-outbox-row.ts); used on the first round only. */
  readonly sealed: readonly OutgoingEnvelope[] | null;
}

type UnitResult = { unit: SendUnit; error: unknown | null };

const maxMergedReceiptIds = 500;
const maxRoundsPerPass = 3;

/**
 * Drains the persistent outbox: groups due items by recipient, merges receipts, encrypts for
 * every device in one transaction (unless the rows were encrypted when they were queued), sends
 * concurrently, and only then removes the rows. A crash at any point leaves the row in place;
 * the relay drops a resend with the same clientMessageId.
 */
export class OutboxProcessor {
  private running = false;
  private again = false;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private idleWaiters: (() => void)[] = [];

  /** Sends to the relay, several per request where the relay takes a batch. */
  private readonly sends: RelaySends;

  constructor(private readonly ctx: CoreContext) {
    this.sends = new RelaySends(
      ctx.http,
      () => ctx.tuning.sendConcurrency,
      () => this.stopped,
    );
  }

  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.running = true;
    void this.run().finally(() => {
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

  /** Resolves when the current pass (if any) is over. */
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
    const next = this.ctx.repos.outbox.nextDueAt();
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
      const due = this.ctx.repos.outbox.due(this.ctx.now(), this.ctx.tuning.sendBatch);
      if (due.length === 0) return;
      const byRecipient = new Map<string, OutboxItem[]>();
      for (const item of due) {
        const list = byRecipient.get(item.recipientAccountId) ?? [];
        list.push(item);
        byRecipient.set(item.recipientAccountId, list);
      }
      try {
        await Promise.all(
          [...byRecipient].map(([recipient, items]) => this.sendTo(recipient, items)),
        );
      } catch (error) {
        if (this.stopped) return;
        this.ctx.logger.error('outbox_pass_failed', { error: describeError(error) });
        return;
      }
    }
  }

  private async sendTo(recipient: string, items: OutboxItem[]): Promise<void> {
    if (recipient === this.ctx.account.accountId && syncHasNoTarget(this.ctx)) {
      // Sync for the person's other devices, and the relay says there are none (any more).
      await this.ctx.tx(async () => {
        for (const item of items) this.ctx.repos.outbox.remove(item.id);
      });
      return;
    }
    let units = this.toUnits(items);
    if (this.ctx.sessions.isBlocked(recipient)) {
      await this.blocked(units);
      return;
    }
    for (let round = 0; round < maxRoundsPerPass && units.length > 0; round += 1) {
      let targets: DeviceTarget[];
      let envelopes: OutgoingEnvelope[][];
      try {
        targets = await this.ctx.sessions.ensure(recipient);
        envelopes = await this.encrypt(recipient, targets, units, round === 0);
      } catch (error) {
        await this.settle(units.map((unit) => ({ unit, error })));
        return;
      }
      const results = await this.put(recipient, units, envelopes);
      const deviceError = results.find((r) => isDeviceListError(r.error))?.error;
      await this.settle(results.filter((r) => !isDeviceListError(r.error)));
      units = results.filter((r) => isDeviceListError(r.error)).map((r) => r.unit);
      // Sealed for a device list the relay just refused: encrypt again for the corrected one.
      if (!(deviceError instanceof RelayRequestError)) continue;
      try {
        if (deviceError.code === 'mismatched_devices') {
          await this.ctx.sessions.applyMismatch(
            recipient,
            mismatchedDevicesSchema.parse(deviceError.details),
          );
        } else {
          const { staleDevices } = staleDevicesSchema.parse(deviceError.details);
          await this.ctx.sessions.applyStale(recipient, staleDevices);
        }
      } catch (error) {
        await this.settle(units.map((unit) => ({ unit, error })));
        return;
      }
    }
    if (units.length > 0) {
      const error = new RelayRequestError(409, 'mismatched_devices', 'device list kept changing');
      await this.settle(units.map((unit) => ({ unit, error })));
    }
  }

  /** Decodes rows; receipts of one kind to one person travel as a single content. */
  private toUnits(items: OutboxItem[]): SendUnit[] {
    const units: SendUnit[] = [];
    const receipts = new Map<string, { ids: number[]; messageIds: string[] }>();
    for (const item of items) {
      let content: Content;
      try {
        content = decodeContent(item.payload);
      } catch {
        this.ctx.logger.error('outbox_item_unreadable', { outboxId: item.id });
        this.ctx.repos.outbox.remove(item.id);
        continue;
      }
      if (content.kind === 'receipt') {
        const group = receipts.get(content.receipt) ?? { ids: [], messageIds: [] };
        if (group.messageIds.length + content.messageIds.length > maxMergedReceiptIds) {
          units.push(this.receiptUnit(content.receipt, group));
          group.ids = [];
          group.messageIds = [];
        }
        group.ids.push(item.id);
        group.messageIds.push(...content.messageIds);
        receipts.set(content.receipt, group);
        continue;
      }
      units.push({
        outboxIds: [item.id],
        messageId: item.kind === 'message' ? item.messageId : null,
        content,
        bytes: item.payload,
        sealed: item.envelopes,
      });
    }
    for (const [kind, group] of receipts) {
      if (group.ids.length > 0) units.push(this.receiptUnit(kind as 'delivered' | 'read', group));
    }
    return units;
  }

  private receiptUnit(
    receipt: 'delivered' | 'read',
    group: { ids: number[]; messageIds: string[] },
  ): SendUnit {
    const now = this.ctx.now();
    const content: Content = {
      v: 1,
      id: newMessageId(now),
      sentAt: now,
      kind: 'receipt',
      receipt,
      messageIds: [...new Set(group.messageIds)],
    };
    return {
      outboxIds: [...group.ids],
      messageId: null,
      content,
      bytes: encodeContent(content),
      sealed: null,
    };
  }

  /**
   * Envelopes per unit: the sealed ones when they were made for exactly these devices (first
   * round), else encrypted now, all in one transaction; none when every unit was sealed.
   */
  private async encrypt(
    recipient: string,
    targets: DeviceTarget[],
    units: SendUnit[],
    useSealed: boolean,
  ): Promise<OutgoingEnvelope[][]> {
    const ready = units.map((unit) =>
      useSealed && unit.sealed && sealedForTargets(unit.sealed, targets) ? [...unit.sealed] : null,
    );
    if (ready.every((envelopes) => envelopes !== null)) return ready;
    return this.ctx.tx(async () => {
      const all: OutgoingEnvelope[][] = [];
      for (const [index, unit] of units.entries()) {
        all.push(
          ready[index] ?? (await encryptForDevices(this.ctx, recipient, targets, unit.bytes)),
        );
      }
      return all;
    });
  }

  private async put(
    recipient: string,
    units: SendUnit[],
    envelopes: OutgoingEnvelope[][],
  ): Promise<UnitResult[]> {
    const outcomes = await this.sends.send(
      units.map((unit, index) => ({
        accountId: recipient,
        body: {
          clientMessageId: unit.messageId
            ? clientMessageIdFor(unit.messageId, unit.outboxIds[0] as number)
            : unit.content.id,
          clientTimestamp: unit.content.sentAt,
          messages: envelopes[index] as OutgoingEnvelope[],
        },
      })),
    );
    // Sends not attempted because the outbox stopped are left out: their rows stay queued.
    return units.flatMap((unit, index) =>
      outcomes[index] === undefined ? [] : [{ unit, error: outcomes[index] }],
    );
  }

  /** Records the outcome of each unit in one transaction, then emits the status events. */
  private async settle(results: UnitResult[]): Promise<void> {
    if (results.length === 0) return;
    const fatal = results.map((r) => r.error).find(isFatal);
    await this.ctx.txEmit(async (emit) => {
      const now = this.ctx.now();
      for (const { unit, error } of results) {
        if (error === null) {
          for (const id of unit.outboxIds) this.ctx.repos.outbox.remove(id);
          if (unit.messageId) this.setStatus(unit.messageId, 'sent', null, emit);
          continue;
        }
        if (isFatal(error)) continue;
        const reason = permanentFailure(error);
        const first = this.ctx.repos.outbox.get(unit.outboxIds[0] as number);
        const tooOld = first !== null && now - first.createdAt > this.ctx.tuning.giveUpAfterMs;
        if (reason === null && !tooOld) {
          const attempts = (first?.attempts ?? 0) + 1;
          const wait = Math.max(
            backoffDelay(attempts - 1, this.ctx.tuning.outboxBackoff),
            error instanceof RelayRequestError && error.retryAfterMs ? error.retryAfterMs : 0,
          );
          for (const id of unit.outboxIds)
            this.ctx.repos.outbox.recordFailure(id, errorCode(error), now + wait);
          continue;
        }
        for (const id of unit.outboxIds) this.ctx.repos.outbox.remove(id);
        if (unit.messageId) {
          this.setStatus(
            unit.messageId,
            'failed',
            reason ?? failureReasons.gaveUp((first?.attempts ?? 0) + 1),
            emit,
          );
        } else {
          this.ctx.logger.warn('control_dropped', {
            kind: unit.content.kind,
            errorCode: errorCode(error),
          });
        }
      }
    });
    if (fatal) {
      this.stop();
      this.ctx.fatal(
        fatal.code === 'remote_wipe'
          ? 'wipe'
          : fatal.code === 'device_revoked'
            ? 'revoked'
            : 'unauthorized',
      );
    }
  }

  /** The recipient's identity changed: messages fail with a reason, controls wait. */
  private async blocked(units: SendUnit[]): Promise<void> {
    await this.ctx.txEmit(async (emit) => {
      const later = this.ctx.now() + this.ctx.tuning.outboxBackoff.maxMs;
      for (const unit of units) {
        if (unit.messageId) {
          for (const id of unit.outboxIds) this.ctx.repos.outbox.remove(id);
          this.setStatus(unit.messageId, 'failed', failureReasons.identityChanged, emit);
        } else {
          for (const id of unit.outboxIds)
            this.ctx.repos.outbox.recordFailure(id, 'identity_changed', later);
        }
      }
    });
  }

  private setStatus(
    messageId: string,
    status: 'sent' | 'failed',
    reason: string | null,
    emit: (event: MessagingEvent) => void,
  ): void {
    const { messages } = this.ctx.repos;
    if (!messages.updateStatus(messageId, status, reason ?? undefined)) return;
    const message = messages.get(messageId);
    if (!message) return;
    emit({
      type: 'message.status',
      conversationId: message.conversationId,
      messageId,
      status,
      failureReason: reason,
    });
  }
}

function isDeviceListError(error: unknown): boolean {
  return (
    error instanceof RelayRequestError &&
    (error.code === 'mismatched_devices' || error.code === 'stale_devices')
  );
}

function isFatal(error: unknown): error is RelayRequestError {
  return (
    error instanceof RelayRequestError &&
    ['remote_wipe', 'device_revoked', 'unauthorized'].includes(error.code)
  );
}

function errorCode(error: unknown): string {
  if (error instanceof RelayRequestError) return error.code;
  if (error instanceof IdentityChangedError) return 'identity_changed';
  if (error instanceof LibSignalErrorBase) return `libsignal_${error.code}`;
  return error instanceof Error ? error.name : 'unknown';
}

/** A reason the user can act on when retrying cannot help; null when a retry may. */
function permanentFailure(error: unknown): string | null {
  if (error instanceof IdentityChangedError) return failureReasons.identityChanged;
  if (isMessengerError(error) && error.details?.['reason'] === 'certificate_pin_mismatch') {
    return failureReasons.certificatePin;
  }
  if (error instanceof LibSignalErrorBase) {
    return error.code === ErrorCode.UntrustedIdentity
      ? failureReasons.identityChanged
      : failureReasons.encryption;
  }
  if (!(error instanceof RelayRequestError)) return null;
  if (error.retryable || error.code === 'bad_response') return null;
  if (error.code === 'not_found') return failureReasons.recipientGone;
  if (error.code === 'mismatched_devices') return null;
  return failureReasons.refused(error.code, error.message);
}
