import { ProtocolAddress } from '@signalapp/libsignal-client';
import { MessengerError } from '../../../shared/errors.js';
import type { DirectoryEntry, WireRemovedBy } from '../../../shared/protocol/index.js';
import { afterCommit, runInAsyncTransaction } from '../db/async-transaction.js';
import type { ConversationRecord } from '../db/repositories/conversations-repository.js';
import type { MessageRecord, MessageStatus } from '../db/repositories/messages-repository.js';
import { UndecryptableEnvelopesRepository } from '../db/repositories/undecryptable-envelopes-repository.js';
import { createLogger, type Logger } from '../log/logger.js';
import type { OpenProfile } from '../profile/open-profile.js';
import type { OriginalsDeleter, TranscribedNotice } from '../transcription/originals-deleter.js';
import { createSignalStores, type SignalStores } from '../signal/signal-stores.js';
import { defaultTuning, type CoreContext, type MessagingTuning } from './core-context.js';
import { DeviceSessions } from './device-sessions.js';
import type { Content } from './content-codec.js';
import { encryptForAccount } from './encrypt-for-account.js';
import { EnvelopeProcessor } from './envelope-processor.js';
import { MessagingEvents, type MessagingEvent } from './messaging-events.js';
import { MessagingQueries } from './messaging-queries.js';
import { AttachmentTransfers } from './attachments/attachment-transfers.js';
import { OutboxProcessor } from './outbox-processor.js';
import { GroupRuntime } from './groups/group-runtime.js';
import type { GroupService } from './groups/group-service.js';
import { OutgoingActions } from './outgoing-actions.js';
import { PreKeyUpkeep } from './prekey-upkeep.js';
import { readRelayAccount, relayUrlsOf, type RelayAccount } from './relay-account.js';
import { RelayAddresses } from './relay/relay-addresses.js';
import { refusalError, toMessengerError } from './relay-errors.js';
import { RelayHttp, RelayRequestError } from './relay/relay-http.js';
import { RelaySocket, type ConnectionState } from './relay/relay-socket.js';
import { TlsPin } from './relay/tls-pin.js';
import { safetyNumber, type SafetyNumber, type SafetyNumberParty } from './safety-number.js';
import { announceAddedDevice } from './added-device-notice.js';
import { listOwnDevices, removeOwnDevice, type OwnDeviceInfo } from './own-devices.js';
import {
  createDeviceLink,
  decideDeviceLink,
  deviceLinkStatus,
  type CreatedLink,
  type LinkOptions,
  type LinkStatus,
} from './device-link.js';
import { enqueueSync, refreshSiblingDevices } from './own-device-sync.js';

export interface MessagingCoreOptions {
  /** Policy `serverCertificateSha256`: pin the relay's TLS certificate. */
  readonly serverCertificateSha256?: string | null;
  readonly now?: () => number;
  readonly logger?: Logger;
  readonly tuning?: Partial<MessagingTuning>;
}

/**
 * The messaging core of one unlocked, enrolled profile: the relay connection, the outbox, the
 * receive pipeline, prekey upkeep and trust. Build it with `MessagingCore.open`, `start()` it,
 * and `stop()` it before the profile closes. Events come out of `events`.
 */
export class MessagingCore implements OriginalsDeleter {
  readonly events = new MessagingEvents();
  readonly actions: OutgoingActions;
  private readonly ctx: CoreContext;
  private readonly stores: SignalStores;
  private readonly outbox: OutboxProcessor;
  private readonly groupRuntime: GroupRuntime;
  /** Encrypted files: sending, resumable upload and download (attachments/). */
  readonly attachments: AttachmentTransfers;
  private readonly receiver: EnvelopeProcessor;
  private readonly upkeep: PreKeyUpkeep;
  private socket: RelaySocket | null = null;
  private stopped = false;
  private refusal: 'revoked' | 'wipe' | 'unauthorized' | null = null;
  private upkeepTimer: NodeJS.Timeout | null = null;

  /** The relay client of this account, for calls outside messaging (the practice audit trail). */
  get relay(): RelayHttp {
    return this.ctx.http;
  }

  private constructor(
    private readonly profile: OpenProfile,
    readonly account: RelayAccount,
    options: MessagingCoreOptions,
  ) {
    const now = options.now ?? Date.now;
    const logger = options.logger ?? createLogger('messaging');
    const tuning = { ...defaultTuning, ...options.tuning };
    const db = profile.db;
    this.stores = createSignalStores(db, {
      now,
      onIdentityChanged: (accountId) => this.identityChanged(accountId),
      onDeviceAdded: (accountId, deviceId) => this.deviceAdded(accountId, deviceId),
    });
    const pin = options.serverCertificateSha256
      ? new TlsPin(options.serverCertificateSha256)
      : null;
    // One list of addresses for calls and socket: a node that fails either is left by both.
    const addresses = new RelayAddresses(relayUrlsOf(account));
    const http = new RelayHttp({
      baseUrl: addresses,
      token: account.token,
      pin,
      timeoutMs: tuning.httpTimeoutMs,
      onDeviceRefused: (code, removedBy) =>
        // After the caller has seen its error: stopping first would mask it as "stopped".
        queueMicrotask(() =>
          this.fatal(
            code === 'remote_wipe'
              ? 'wipe'
              : code === 'device_revoked'
                ? 'revoked'
                : 'unauthorized',
            removedBy,
          ),
        ),
    });
    const local = ProtocolAddress.new(account.accountId, account.deviceId);
    const tx = <T>(work: () => Promise<T>) => runInAsyncTransaction(db, work);
    const events = this.events;
    const sessions = new DeviceSessions({ http, stores: this.stores, local, tx, now });
    this.ctx = {
      db,
      repos: profile.repositories,
      undecryptable: new UndecryptableEnvelopesRepository(db),
      queries: new MessagingQueries(db),
      stores: this.stores,
      account,
      local,
      http,
      sessions,
      events,
      logger,
      now,
      tuning,
      ownDevices: { known: false, siblings: new Set<number>() },
      tx,
      txEmit: async (work) => {
        let collected: MessagingEvent[] = [];
        const result = await tx(() => {
          // A transaction preempted by another writer runs again: keep only the last run's.
          collected = [];
          return work((event) => collected.push(event));
        });
        for (const event of collected) events.emit(event);
        return result;
      },
      fatal: (reason) => this.fatal(reason),
      // Inside a transaction the outbox must see what it queued, and only once it is committed.
      kickOutbox: () => afterCommit(() => this.outbox.kick()),
      kickAttachments: () => afterCommit(() => this.attachments.kick()),
    };
    this.attachments = new AttachmentTransfers(this.ctx);
    this.outbox = new OutboxProcessor(this.ctx);
    this.groupRuntime = new GroupRuntime(this.ctx);
    this.attachments.setGroupSink(this.groupRuntime.fileSink());
    this.receiver = new EnvelopeProcessor(
      this.ctx,
      (ids) => this.socket?.ack(ids),
      () => void this.upkeep.check(),
    );
    this.upkeep = new PreKeyUpkeep(this.ctx);
    this.actions = new OutgoingActions(this.ctx);
    this.socket = new RelaySocket(
      {
        addresses,
        token: account.token,
        pin,
        heartbeatMs: tuning.heartbeatMs,
        backoff: tuning.socketBackoff,
        logger: logger.child('socket'),
      },
      {
        state: (state) => this.connectionChanged(state),
        envelope: (envelope) => this.receiver.push(envelope),
        queueEmpty: () => this.receiver.queueEmpty(),
        stopped: (reason, removedBy) =>
          reason === 'replaced'
            ? this.events.emit({ type: 'account.stopped', reason })
            : this.fatal(reason, removedBy),
      },
    );
  }

  /** The core of an enrolled profile; `not_found` when the profile has not enrolled yet. */
  static open(profile: OpenProfile, options: MessagingCoreOptions = {}): MessagingCore {
    const account = readRelayAccount(profile.repositories.settings);
    if (!account) {
      throw new MessengerError(
        'not_found',
        'This profile is not enrolled with a relay yet. Enrol it first.',
      );
    }
    return new MessagingCore(profile, account, options);
  }

  get connectionState(): ConnectionState {
    return this.socket?.state ?? 'offline';
  }

  /**
   * Resumes the outbox (messages left by a crash go out) and, unless `receive` is false,
   * connects the WebSocket to receive. Prekey upkeep runs on connect and twice a day.
   */
  start(options: { receive?: boolean } = {}): void {
    if (this.stopped)
      throw new MessengerError('profile_locked', 'This messaging core was stopped.');
    this.outbox.kick();
    this.attachments.kick();
    this.groupRuntime.start();
    if (options.receive === false) return;
    void this.receiver.retryKept().catch(() => undefined);
    this.socket?.start();
    this.upkeepTimer = setInterval(() => void this.upkeep.check(), 12 * 3600_000);
    this.upkeepTimer.unref();
  }

  /** Stops everything at once (sockets, timers); safe to call before the database closes. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.upkeepTimer) clearInterval(this.upkeepTimer);
    this.socket?.stop();
    this.socket = null;
    this.outbox.stop();
    this.groupRuntime.stop();
    this.attachments.stop();
    this.receiver.stop();
    this.ctx.http.close();
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** Resolves when the message is accepted by the relay (or later states), or fails. */
  async whenSent(messageId: string): Promise<MessageRecord> {
    const settled = (status: MessageStatus) => status !== 'pending';
    const waiting = this.events.next(
      'message.status',
      (e) => e.messageId === messageId && settled(e.status),
    );
    const current = this.ctx.repos.messages.get(messageId);
    if (!current) throw new MessengerError('not_found', 'No such message.');
    if (!settled(current.status)) {
      // A relay that refuses this device for good settles nothing: report that instead.
      const stopped = this.refusal
        ? { reason: this.refusal }
        : await Promise.race([waiting.then(() => null), this.events.next('account.stopped')]);
      if (stopped) throw refusalError(stopped.reason);
    }
    return this.ctx.repos.messages.get(messageId) as MessageRecord;
  }

  /** Groups: create, change membership, leave, list (groups/group-service.ts). */
  get groups(): GroupService {
    return this.groupRuntime.service;
  }

  /** Waits until the outbox and the group outbox have nothing due right now. */
  async flushOutbox(): Promise<void> {
    if (!this.stopped) await this.groupRuntime.flush();
    while (!this.stopped) {
      await this.outbox.idle();
      const next = this.ctx.repos.outbox.nextDueAt();
      if (next === null || next > this.ctx.now()) return;
      this.outbox.kick();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  sendText(
    conversationId: string,
    text: string,
    options: { urgent?: boolean; replyTo?: string } = {},
  ) {
    if (this.groups.isGroup(conversationId))
      return this.groups.sendText(conversationId, text, options);
    return this.actions.sendText(conversationId, text, options);
  }

  /** Encrypts content for a person's devices without sending it (roles: held escalation copies). */
  encryptCopy(accountId: string, content: Content) {
    return encryptForAccount(this.ctx, accountId, content);
  }

  /** Deletes messages here and on the peer's devices (OriginalsDeleter, for transcription). */
  deleteForEveryone(
    conversationId: string,
    messageIds: readonly string[],
    reason: 'sender' | 'transcribed',
  ): Promise<void> {
    if (this.groups.isGroup(conversationId)) {
      return this.groupRuntime.actions.deleteForEveryone(conversationId, messageIds, reason);
    }
    return this.actions.deleteForEveryone(conversationId, messageIds, reason);
  }

  /** Tells the peer these messages were transcribed (OriginalsDeleter, for transcription). */
  sendTranscribedNotice(conversationId: string, notice: TranscribedNotice): Promise<void> {
    if (this.groups.isGroup(conversationId)) {
      return this.groupRuntime.actions.sendTranscribedNotice(conversationId, notice);
    }
    return this.actions.sendTranscribedNotice(conversationId, notice);
  }

  /** In a group, only its admins may (the timer is part of the signed group state). */
  async setDisappearingTimer(conversationId: string, seconds: number): Promise<void> {
    if (this.groups.isGroup(conversationId)) {
      await this.groups.setDisappearingTimer(conversationId, seconds);
      return;
    }
    return this.actions.setDisappearingTimer(conversationId, seconds);
  }

  /** The direct conversation with a person, created on first use. */
  async openDirect(peerAccountId: string): Promise<ConversationRecord> {
    if (peerAccountId === this.account.accountId) {
      throw new MessengerError('invalid_input', 'You cannot start a conversation with yourself.');
    }
    if (!this.ctx.repos.contacts.get(peerAccountId)) {
      try {
        await this.refreshContact(peerAccountId);
      } catch (error) {
        // Offline: the conversation can still be started and the message queued; the name
        // and role are filled in when the directory next syncs. Unknown people are refused.
        if (!(error instanceof MessengerError && error.code === 'network')) throw error;
      }
    }
    const conversation = await this.ctx.tx(async () =>
      this.ctx.repos.conversations.getOrCreateDirect(peerAccountId, this.ctx.now()),
    );
    if (this.stores.identity.remoteIdentity(peerAccountId)?.trust === 'changed') {
      this.ctx.repos.conversations.markIdentityChanged(peerAccountId, this.ctx.now());
    }
    return this.ctx.repos.conversations.get(conversation.id) as ConversationRecord;
  }

  /** The practice directory from the relay, stored as contacts. */
  async refreshDirectory(): Promise<DirectoryEntry[]> {
    const { accounts } = await this.ctx.http.call('directory');
    await this.ctx.tx(async () => {
      this.ctx.repos.contacts.replaceDirectory(
        accounts.map((a) => ({
          accountId: a.accountId,
          displayName: a.displayName,
          role: a.role,
          gmcNumber: a.gmcNumber,
          nmcPin: a.nmcPin,
          sdsUserId: a.sdsUserId,
        })),
        this.ctx.now(),
      );
    });
    return accounts;
  }

  /** One person's directory entry; `not_found` when they are not (or no longer) in it. */
  async refreshContact(accountId: string): Promise<DirectoryEntry> {
    try {
      const entry = await this.ctx.http.call('account', { params: { accountId } });
      await this.ctx.tx(async () => this.ctx.repos.contacts.upsert(entry, this.ctx.now()));
      return entry;
    } catch (error) {
      if (error instanceof RelayRequestError && error.code === 'not_found') {
        throw new MessengerError('not_found', 'That person is not in your practice directory.');
      }
      throw toMessengerError(error);
    }
  }

  /**
   * The 60-digit safety number with a person. With no identity key yet, a session is started
   * first (fetching their bundle), which is also when their key is trusted on first use.
   */
  async safetyNumber(accountId: string): Promise<SafetyNumber & { identityChanged: boolean }> {
    let remote = this.stores.identity.remoteIdentity(accountId);
    if (!remote) {
      try {
        await this.ctx.sessions.ensure(accountId);
      } catch (error) {
        throw toMessengerError(error);
      }
      remote = this.stores.identity.remoteIdentity(accountId);
    }
    if (!remote) throw new MessengerError('not_found', 'No identity key is known for that person.');
    return {
      ...safetyNumber(await this.ownSafetyNumberParty(), {
        accountId,
        identityKeys: remote.devices.map((d) => d.identityKey),
      }),
      identityChanged: remote.trust === 'changed',
    };
  }

  /**
   * This person's side of a safety number: the keys of all their devices, as the relay lists
   * them now (so both sides count the same devices); the other devices' keys are fetched once.
   */
  private async ownSafetyNumberParty(): Promise<SafetyNumberParty> {
    const own = await this.stores.identity.getIdentityKeyPair();
    const { accountId, deviceId } = this.account;
    try {
      const entry = await this.ctx.http.call('account', { params: { accountId } });
      const siblings = entry.devices.map((d) => d.deviceId).filter((id) => id !== deviceId);
      for (const sibling of siblings) {
        if (!this.stores.identity.deviceIdentity(accountId, sibling)) {
          await this.ctx.sessions.fetchBundles(accountId, sibling);
        }
      }
      await this.ctx.tx(async () => {
        for (const known of this.stores.identity.remoteIdentity(accountId)?.devices ?? []) {
          if (!siblings.includes(known.deviceId)) {
            this.stores.identity.forgetDevice(accountId, known.deviceId);
          }
        }
      });
    } catch (error) {
      throw toMessengerError(error);
    }
    const siblingKeys = (this.stores.identity.remoteIdentity(accountId)?.devices ?? []).map(
      (d) => d.identityKey,
    );
    return { accountId, identityKeys: [own.publicKey, ...siblingKeys] };
  }

  /** This person's devices (this one included), as the relay lists them. */
  ownDevices(): Promise<OwnDeviceInfo[]> {
    return listOwnDevices(this.ctx);
  }

  /** Removes another of this person's devices (revoked with remote wipe on the relay). */
  removeOwnDevice(deviceId: number): Promise<void> {
    return removeOwnDevice(this.ctx, deviceId);
  }

  /** A one-time link code for a new PC of this person (docs/protocol.md §2b). */
  createDeviceLink(options: LinkOptions): Promise<CreatedLink> {
    return createDeviceLink(this.ctx, options);
  }

  /** This device's link code: who is asking to join with it, and whether they proved it. */
  deviceLinkStatus(): Promise<LinkStatus | null> {
    return deviceLinkStatus(this.ctx);
  }

  /** Approves or refuses the PC asking to join with this device's link code. */
  decideDeviceLink(approve: boolean): Promise<LinkStatus> {
    return decideDeviceLink(this.ctx, approve);
  }

  isIdentityChanged(accountId: string): boolean {
    return this.ctx.sessions.isBlocked(accountId);
  }

  /** The user accepted a person's new identity key: sending is allowed again (and recorded). */
  async acknowledgeIdentity(accountId: string): Promise<void> {
    await this.ctx.txEmit(async (emit) => {
      const changedKeys = (this.stores.identity.remoteIdentity(accountId)?.devices ?? [])
        .filter((d) => d.trust === 'changed')
        .map((d) => Buffer.from(d.identityKey.serialize()).toString('base64'));
      this.stores.identity.acknowledgeIdentity(accountId);
      // The person's other devices accept the same keys, and only those.
      if (changedKeys.length > 0) {
        enqueueSync(
          this.ctx,
          accountId,
          { type: 'identity-acknowledged', identityKeys: changedKeys },
          this.ctx.now(),
        );
      }
      const conversation = this.ctx.repos.conversations.findDirect(accountId);
      if (conversation) {
        this.ctx.repos.conversations.clearIdentityChanged(conversation.id);
        emit({ type: 'conversation.updated', conversationId: conversation.id });
      }
      this.ctx.repos.audit.append({
        at: this.ctx.now(),
        actorAccountId: this.account.accountId,
        action: 'identity_acknowledged',
        conversationId: conversation?.id ?? null,
        details: { accountId },
      });
    });
    // Controls held back while blocked can go now.
    await this.ctx.tx(async () => this.ctx.queries.retryAllNow(this.ctx.now()));
    this.outbox.kick();
  }

  /**
   * Called by the identity store inside the transaction that recorded a further device of a
   * colleague: after it commits, a notice goes into the conversation, named as the relay names
   * the device. Not a change of trust; the safety number now covers that device too.
   */
  private deviceAdded(accountId: string, deviceId: number): void {
    if (accountId === this.account.accountId) return;
    setImmediate(() => {
      if (this.stopped) return;
      void announceAddedDevice(this.ctx, accountId, deviceId).catch(() => undefined);
    });
  }

  /** Called by the identity store inside the transaction that saved the new key. */
  private identityChanged(accountId: string): void {
    const now = this.ctx.now();
    const conversation = this.ctx.repos.conversations.getOrCreateDirect(accountId, now);
    this.ctx.repos.conversations.markIdentityChanged(accountId, now);
    this.ctx.repos.audit.append({
      at: now,
      actorAccountId: accountId,
      action: 'identity_changed',
      conversationId: conversation.id,
      details: { accountId },
    });
    this.ctx.logger.warn('identity_changed', { accountId });
    setImmediate(() => {
      this.events.emit({ type: 'identity.changed', accountId });
      this.events.emit({ type: 'conversation.updated', conversationId: conversation.id });
    });
  }

  private connectionChanged(state: ConnectionState): void {
    this.events.emit({ type: 'connection.changed', state, since: this.ctx.now() });
    if (state !== 'online' || this.stopped) return;
    this.receiver.connected();
    void this.ctx
      .tx(async () => this.ctx.queries.retryAllNow(this.ctx.now()))
      .then(() => this.outbox.kick())
      .then(() => this.groupRuntime.online())
      .catch(() => undefined);
    // Transfers waiting out a backoff after the relay went away carry on at once.
    this.attachments.kick();
    void this.upkeep.check();
    void refreshSiblingDevices(this.ctx).catch(() => undefined);
  }

  private fatal(reason: 'revoked' | 'wipe' | 'unauthorized', removedBy?: WireRemovedBy): void {
    // The socket, the outbox and any HTTP call may all meet the refusal: act on the first.
    if (this.refusal) return;
    this.refusal = reason;
    this.ctx.logger.warn('relay_refused_device', { reason, removedByOwnDevice: !!removedBy });
    this.stop();
    this.events.emit({
      type: 'account.stopped',
      reason,
      ...(reason === 'wipe' && removedBy ? { removedBy } : {}),
    });
  }

  /** The profile this core runs on (for the owner that closes it). */
  get openProfile(): OpenProfile {
    return this.profile;
  }
}

export { toMessengerError } from './relay-errors.js';
