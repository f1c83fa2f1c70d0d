import {
  CiphertextMessageType,
  ErrorCode,
  LibSignalErrorBase,
  PreKeySignalMessage,
  ProtocolAddress,
  SenderKeyMessage,
  SignalMessage,
  groupDecrypt,
  signalDecrypt,
  signalDecryptPreKey,
} from '@signalapp/libsignal-client';
import type { IncomingEnvelope } from '../../../shared/protocol/index.js';
import { MessengerError } from '../../../shared/errors.js';
import { onRollback } from '../db/async-transaction.js';
import { ContentApplier } from './content-applier.js';
import { decodeContent, encodeContent, type Content } from './content-codec.js';
import type { CoreContext } from './core-context.js';
import type { MessagingEvent } from './messaging-events.js';
import { messageIdOfClientMessageId, newMessageId } from './message-ids.js';
import { giveUpOnEnvelope } from './undecryptable-notice.js';
import { describeError } from '../../../shared/describe-error.js';

/** The parts of an envelope needed to decrypt it (also what is kept when that fails). */
interface Ciphertext {
  readonly relayId: string;
  readonly senderAccountId: string;
  readonly senderDeviceId: number;
  readonly clientMessageId: string;
  readonly type: number;
  readonly content: Uint8Array;
  readonly clientTimestamp: number | null;
  readonly serverTimestamp: number;
}

type Outcome = 'stored' | 'duplicate' | 'kept';

const resetIntervalMs = 60_000;
const maxRetriesOfKept = 5;
/** Why kept group content could not be applied yet: no sender key, not a member, no signer key. */
const waitingFor = new Set(['content:not_found', 'content:forbidden']);

/**
 * Receives envelopes in relay order: decrypts a batch, stores session state and content in ONE
 * transaction (one savepoint per envelope so one bad envelope cannot undo the others), and only
 * after the commit acks them. An envelope that cannot be decrypted is kept in the database and
 * the sender is asked to reset the session and resend; nothing is acked before it is stored.
 */
export class EnvelopeProcessor {
  private readonly queue: IncomingEnvelope[] = [];
  private busy = false;
  private drainPending = false;
  /**
   * The queue the relay held when this connection opened is still arriving: the delivered
   * receipts of what is stored meanwhile wait in the outbox (committed with their messages) and
   * go, merged per sender, once it is drained, so that a weekend's backlog is not slowed by
   * hundreds of receipt sends and their commits on the same database connection.
   */
  private draining = false;
  private stopped = false;
  private readonly applier: ContentApplier;
  private readonly lastReset = new Map<string, number>();
  /** Why the last envelope decryptOne tried could not be applied. */
  private lastFailure = 'still undecryptable';

  constructor(
    private readonly ctx: CoreContext,
    private readonly ack: (ids: string[]) => void,
    private readonly onPreKeyMessages: () => void,
  ) {
    this.applier = new ContentApplier(ctx);
  }

  push(envelope: IncomingEnvelope): void {
    this.queue.push(envelope);
    void this.pump();
  }

  /** A connection opened: the relay sends what it queued for this device, then queue_empty. */
  connected(): void {
    this.draining = true;
  }

  /** The relay has sent everything queued at connect time; report when it is all stored. */
  queueEmpty(): void {
    this.drainPending = true;
    void this.pump();
  }

  stop(): void {
    this.stopped = true;
    this.queue.length = 0;
  }

  /**
   * Tries the kept envelopes again (a new session may make them readable), once per start. After
   * the last attempt fails the envelope is given up on, with an audit entry and a notice in the
   * conversation. (A resend of the same message id removes the kept copy as it is stored.)
   */
  async retryKept(): Promise<void> {
    for (const kept of this.ctx.undecryptable.all()) {
      if (this.stopped) return;
      let events: MessagingEvent[] = [];
      await this.ctx.tx(async () => {
        events = [];
        const emit = (e: MessagingEvent) => events.push(e);
        // Kept by a version that stopped retrying without giving up.
        if (kept.attempts >= maxRetriesOfKept) return giveUpOnEnvelope(this.ctx, kept, emit);
        if ((await this.decryptOne(kept, emit, false)) !== 'kept') {
          return this.ctx.undecryptable.remove(kept.relayId);
        }
        // Why, as decryptOne found: content waiting for a group key stays recognisable.
        this.ctx.undecryptable.failedAgain(kept.relayId, this.lastFailure);
        if (kept.attempts + 1 >= maxRetriesOfKept) {
          giveUpOnEnvelope(this.ctx, { ...kept, attempts: kept.attempts + 1 }, emit);
        }
      });
      for (const event of events) this.ctx.events.emit(event);
    }
    // What is still kept may wait for a signer's key that can be fetched now.
    if (!this.stopped && (await this.applier.groups.settleWaits())) await this.retryWaiting();
  }

  /**
   * Kept group content that waited for something (the sender's key, the state that makes them a
   * member, a signer's identity key) is tried again as soon as that arrives, in relay order, not
   * only at the next start; these tries do not count toward giving up.
   */
  private async retryWaiting(): Promise<void> {
    for (let pass = 0; pass < 4 && !this.stopped; pass += 1) {
      const waiting = this.ctx.undecryptable.all().filter((k) => waitingFor.has(k.lastError));
      let progress = false;
      for (const kept of waiting) {
        if (this.stopped) return;
        let events: MessagingEvent[] = [];
        await this.ctx.tx(async () => {
          events = [];
          if ((await this.decryptOne(kept, (e) => events.push(e), false)) === 'kept') return;
          this.ctx.undecryptable.remove(kept.relayId);
          progress = true;
        });
        for (const event of events) this.ctx.events.emit(event);
      }
      // What was read may itself have been waiting for a signer, or unlocked later content.
      const again = await this.applier.groups.settleWaits();
      if (progress) this.ctx.kickOutbox();
      if (!progress && !again) return;
    }
  }

  private async pump(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      while (!this.stopped && this.queue.length > 0) {
        const batch = this.queue.splice(0, this.ctx.tuning.receiveBatch);
        await this.processBatch(batch);
      }
    } finally {
      this.busy = false;
    }
    if (this.drainPending && !this.stopped && this.queue.length === 0) {
      this.drainPending = false;
      this.draining = false;
      // The receipts held back while the backlog arrived.
      this.ctx.kickOutbox();
      this.ctx.events.emit({ type: 'queue.drained' });
    }
  }

  private async processBatch(batch: IncomingEnvelope[]): Promise<void> {
    let events: MessagingEvent[] = [];
    let preKeys = 0;
    try {
      await this.ctx.tx(async () => {
        // Runs again if another writer preempts it: start the tallies afresh.
        events = [];
        preKeys = 0;
        for (const envelope of batch) {
          if (envelope.type === CiphertextMessageType.PreKey) preKeys += 1;
          await this.decryptOne(toCiphertext(envelope), (e) => events.push(e), true);
        }
      });
    } catch (error) {
      // Nothing of the batch was committed and nothing is acked: the relay redelivers it.
      if (!this.stopped) {
        this.ctx.logger.error('receive_batch_failed', { error: describeError(error) });
      }
      return;
    }
    this.ack(batch.map((e) => e.id));
    await this.learnSenders(batch);
    for (const event of events) this.ctx.events.emit(event);
    if (await this.applier.groups.settleWaits()) await this.retryWaiting();
    // Storing a message queued its delivered receipt: send it now, not at the next unrelated kick
    // (after the backlog of the connection when one is arriving).
    if (!this.draining) this.ctx.kickOutbox();
    // One-time prekeys were used up: the relay's count may now be below the threshold.
    if (preKeys > 0) this.onPreKeyMessages();
  }

  /** Looks up senders not yet in the local directory, so events show their name and role. */
  private async learnSenders(batch: IncomingEnvelope[]): Promise<void> {
    const unknown = new Set(
      batch.map((e) => e.senderAccountId).filter((id) => this.ctx.repos.contacts.get(id) === null),
    );
    for (const accountId of unknown) {
      try {
        const entry = await this.ctx.http.call('account', { params: { accountId } });
        await this.ctx.tx(async () => this.ctx.repos.contacts.upsert(entry, this.ctx.now()));
      } catch (error) {
        this.ctx.logger.info('sender_lookup_failed', { error: describeError(error) });
      }
    }
  }

  /** Inside a transaction: decrypt and apply under a savepoint; on failure keep the ciphertext. */
  private async decryptOne(
    envelope: Ciphertext,
    emit: (event: MessagingEvent) => void,
    keepOnFailure: boolean,
  ): Promise<Outcome> {
    const { db } = this.ctx;
    db.exec('SAVEPOINT envelope');
    const local: MessagingEvent[] = [];
    try {
      const { content, distributionId } = await this.decrypt(envelope);
      await this.applier.apply(
        content,
        { accountId: envelope.senderAccountId, deviceId: envelope.senderDeviceId },
        (e) => local.push(e),
        { distributionId },
      );
      db.exec('RELEASE envelope');
      for (const event of local) emit(event);
      return 'stored';
    } catch (error) {
      db.exec('ROLLBACK TO envelope');
      db.exec('RELEASE envelope');
      if (error instanceof LibSignalErrorBase && error.code === ErrorCode.DuplicatedMessage) {
        // Already stored and the ack was lost: the relay sent it again.
        return 'duplicate';
      }
      const reason = failureName(error);
      this.lastFailure = reason;
      this.ctx.logger.warn('envelope_undecryptable', {
        relayId: envelope.relayId,
        senderDevice: envelope.senderDeviceId,
        reason,
      });
      if (keepOnFailure) {
        this.ctx.undecryptable.keep({ ...envelope, lastError: reason, receivedAt: this.ctx.now() });
        if (!(error instanceof MessengerError)) this.askForReset(envelope);
      }
      return 'kept';
    }
  }

  private async decrypt(
    envelope: Ciphertext,
  ): Promise<{ content: Content; distributionId: string | null }> {
    const { stores, local } = this.ctx;
    const sender = ProtocolAddress.new(envelope.senderAccountId, envelope.senderDeviceId);
    const bytes = envelope.content as Uint8Array<ArrayBuffer>;
    let plaintext: Uint8Array;
    if (envelope.type === CiphertextMessageType.SenderKey) {
      // A group message: readable only with the sender's key for that group, which this device
      // holds only while it is a member (groups/group-inbound.ts).
      const distributionId = SenderKeyMessage.deserialize(bytes).distributionId();
      if (
        this.applier.groups.groupOfSenderKey(distributionId, {
          accountId: envelope.senderAccountId,
          deviceId: envelope.senderDeviceId,
        }) === null
      ) {
        throw new MessengerError('not_found', 'No sender key of that member for a group of ours.');
      }
      try {
        plaintext = await groupDecrypt(sender, stores.senderKey, bytes);
      } catch (error) {
        if (error instanceof LibSignalErrorBase && error.code === ErrorCode.DuplicatedMessage) {
          throw error;
        }
        // Not a broken 1:1 session: asking the sender for a session reset would not help.
        throw new MessengerError(
          'invalid_input',
          'The group message does not decrypt with the sender key held here.',
        );
      }
      return { content: decodeContent(plaintext), distributionId };
    }
    if (envelope.type === CiphertextMessageType.PreKey) {
      plaintext = await signalDecryptPreKey(
        PreKeySignalMessage.deserialize(bytes),
        sender,
        local,
        stores.session,
        stores.identity,
        stores.preKey,
        stores.signedPreKey,
        stores.kyberPreKey,
      );
    } else if (envelope.type === CiphertextMessageType.Whisper) {
      plaintext = await signalDecrypt(
        SignalMessage.deserialize(bytes),
        sender,
        local,
        stores.session,
        stores.identity,
      );
    } else {
      throw new MessengerError('invalid_input', `Unsupported envelope type ${envelope.type}.`);
    }
    return { content: decodeContent(plaintext), distributionId: null };
  }

  /**
   * The session with that device is broken: forget it and send a session-reset (which starts a
   * fresh session from a new bundle), naming the message so the sender resends it. At most once
   * a minute per device, so two broken ends cannot ping-pong.
   */
  private askForReset(envelope: Ciphertext): void {
    const key = `${envelope.senderAccountId}.${envelope.senderDeviceId}`;
    const now = this.ctx.now();
    const previous = this.lastReset.get(key);
    if ((previous ?? 0) + resetIntervalMs > now) return;
    this.lastReset.set(key, now);
    // The queued reset is rolled back with the transaction: then it may be asked for again.
    onRollback(() =>
      previous === undefined ? this.lastReset.delete(key) : this.lastReset.set(key, previous),
    );
    this.ctx.sessions.forget(envelope.senderAccountId, envelope.senderDeviceId);
    const resend = messageIdOfClientMessageId(envelope.clientMessageId);
    const reset: Content = {
      v: 1,
      id: newMessageId(now),
      sentAt: now,
      kind: 'session-reset',
      ...(resend ? { messageIds: [resend] } : {}),
    };
    this.ctx.repos.outbox.enqueue(
      {
        kind: 'control',
        recipientAccountId: envelope.senderAccountId,
        payload: encodeContent(reset),
      },
      now,
    );
    this.ctx.kickOutbox();
  }
}

function toCiphertext(envelope: IncomingEnvelope): Ciphertext {
  return {
    relayId: envelope.id,
    senderAccountId: envelope.senderAccountId,
    senderDeviceId: envelope.senderDeviceId,
    clientMessageId: envelope.clientMessageId,
    type: envelope.type,
    content: Buffer.from(envelope.content, 'base64'),
    clientTimestamp: envelope.clientTimestamp,
    serverTimestamp: envelope.serverTimestamp,
  };
}

function failureName(error: unknown): string {
  if (error instanceof LibSignalErrorBase) return `libsignal:${error.code}`;
  if (error instanceof MessengerError) return `content:${error.code}`;
  return error instanceof Error ? error.name : 'unknown';
}
