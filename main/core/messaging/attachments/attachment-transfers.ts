import { MessengerError } from '../../../../shared/errors.js';
import type { AttachmentRecord } from '../../db/repositories/attachments-repository.js';
import type { MessageRecord } from '../../db/repositories/messages-repository.js';
import { expiryOfNewMessage } from '../../retention/expiry-policy.js';
import { backoffDelay } from '../backoff.js';
import { encodeContent, type Content } from '../content-codec.js';
import type { CoreContext } from '../core-context.js';
import { newMessageId, nextSentAt } from '../message-ids.js';
import { contentOfMessage } from '../outgoing-content.js';
import { enqueueSync, hasOtherDevices } from '../own-device-sync.js';
import { RelayRequestError } from '../relay/relay-http.js';
import {
  chunkTagBytes,
  decryptChunk,
  decryptFile,
  encryptFile,
  OrderedDigest,
} from './attachment-crypto.js';
import { inWindow } from './transfer-window.js';
import { onRollback } from '../../db/async-transaction.js';
import { withoutCheckpoints } from '../../db/without-checkpoints.js';
import { sanitiseFileName } from './file-name.js';
import { checkAttachment } from './attachment-checks.js';
import {
  RoleMessagesRepository,
  type RoleMessageRecord,
} from '../../db/repositories/role-messages-repository.js';
import { roleTagOf } from '../../roles/role-tag.js';

export interface SendFileInput {
  readonly bytes: Uint8Array;
  /** The name the user's file had; only its last part is kept, cleaned (file-name.ts). */
  readonly name: string;
  readonly caption?: string;
  /** The practice's cap (policy `maxAttachmentMB`). */
  readonly maxBytes: number;
  /** The practice's allowed types (policy `attachmentTypes`); all safe types when absent. */
  readonly allowedTypes?: readonly string[];
  /** Sent as urgent, like an urgent text (the recipient is alerted). */
  readonly urgent?: boolean;
  /** The message this file answers, in the same conversation. */
  readonly replyTo?: string;
}

type Settled = (record: AttachmentRecord) => void;

/**
 * Files in groups (groups/group-runtime.ts): the same upload, to the group's members, and the
 * message carrying the key sent with the group's messages under the sender key.
 */
export interface GroupFileSink {
  /** Whether the conversation is a group. */
  isGroup(conversationId: string): boolean;
  /**
   * The accounts a file in the group goes to (the person's own too when they have other
   * devices); throws when this account is no longer a member or the group is too large for one.
   */
  recipients(groupId: string): string[];
  /** Inside a transaction: queues the group message carrying the file's key. */
  enqueue(groupId: string, message: MessageRecord, content: Content): void;
  /** After the commit: send the group's queued messages. */
  kick(): void;
}

/**
 * Moves attachments between this profile and the relay's blob store. Progress lives in the
 * database (relay id, chunks uploaded or stored), so after a crash or a dropped connection the
 * next pass carries on from the last chunk that made it. The encrypted message referring to an
 * upload is queued only once the relay holds the whole blob.
 */
export class AttachmentTransfers {
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private readonly waiting = new Map<string, Settled[]>();
  /** Chunks the relay holds of each upload under way (its own list, then each PUT answered). */
  private readonly uploaded = new Map<string, Set<number>>();
  /**
   * The ciphertext chunks send() just stored, for the first upload pass only: that pass sends
   * them from memory instead of reading 25 MB back out of SQLCipher (decrypting every page). A
   * later pass (after a failure, a restart) reads the stored chunks, as before.
   */
  private readonly justStored = new Map<string, readonly Buffer[]>();

  private groups: GroupFileSink | null = null;

  constructor(private readonly ctx: CoreContext) {
    // A deleted message may leave a relay blob to decline (MessagesRepository.delete).
    ctx.events.on((event) => {
      if (event.type === 'message.deleted') this.kick();
    });
  }

  /** Wires files in groups (the messaging core does, once its group runtime exists). */
  setGroupSink(sink: GroupFileSink): void {
    this.groups = sink;
  }

  async send(
    conversationId: string,
    input: SendFileInput,
    options: {
      readonly urgent?: boolean;
      /** Sent to a duty role (roles/role-service.ts), as SendTextOptions.role. */
      readonly role?: Omit<RoleMessageRecord, 'messageId'>;
    } = {},
  ): Promise<MessageRecord> {
    const type = checkAttachment(input.bytes, input);
    const fileName = sanitiseFileName(input.name, type);
    const conversation = this.ctx.repos.conversations.get(conversationId);
    const group = this.groups?.isGroup(conversationId) === true;
    if (group) {
      // Checked now, so a file for a group one has left is refused before it is encrypted.
      this.groups?.recipients(conversationId);
    } else if (!conversation?.peerAccountId) {
      throw new MessengerError('not_found', 'There is no such direct conversation.');
    } else if (this.ctx.sessions.isBlocked(conversation.peerAccountId)) {
      throw new MessengerError(
        'forbidden',
        "This person's safety number has changed; acknowledge the change before sending.",
      );
    }
    if (
      input.replyTo &&
      this.ctx.repos.messages.get(input.replyTo)?.conversationId !== conversationId
    ) {
      throw new MessengerError(
        'invalid_input',
        'The message being replied to is not in this conversation.',
      );
    }
    const encrypted = encryptFile(input.bytes);
    const message = await this.ctx.txEmit(async (emit) => {
      const now = this.ctx.now();
      const sentAt = nextSentAt(now);
      const id = newMessageId(sentAt);
      this.ctx.repos.messages.insert({
        id,
        conversationId,
        direction: 'outgoing',
        senderAccountId: this.ctx.account.accountId,
        senderDeviceId: this.ctx.account.deviceId,
        body: input.caption ?? '',
        urgent: options.urgent === true || input.urgent === true,
        status: 'pending',
        sentAt,
        receivedAt: null,
        expiresAt: expiryOfNewMessage(this.ctx.repos, conversationId, sentAt),
      });
      this.ctx.repos.attachments.insert({
        messageId: id,
        direction: 'outgoing',
        state: 'uploading',
        fileKey: encrypted.key,
        sha256: encrypted.sha256,
        size: input.bytes.length,
        contentType: type,
        fileName,
        chunkCount: encrypted.chunks.length,
        relayId: null,
        createdAt: now,
      });
      encrypted.chunks.forEach((c, i) => this.ctx.repos.attachments.putChunk(id, i, c));
      this.justStored.set(id, encrypted.chunks);
      onRollback(() => this.justStored.delete(id));
      if (options.role) {
        const roles = new RoleMessagesRepository(this.ctx.db);
        roles.tagMessage({ ...options.role, messageId: id });
        if (options.role.sendId) {
          roles.addRecipients(options.role.sendId, [conversation?.peerAccountId as string]);
        }
      }
      if (input.replyTo) this.ctx.queries.setReplyTo(id, input.replyTo);
      this.ctx.repos.conversations.touch(conversationId, sentAt);
      const stored = this.ctx.repos.messages.get(id) as MessageRecord;
      emit({ type: 'message.added', message: stored });
      emit({ type: 'conversation.updated', conversationId });
      return stored;
    });
    this.ctx.kickAttachments();
    return message;
  }

  /** The decrypted file of a stored attachment, checked against its digest. */
  read(messageId: string): { record: AttachmentRecord; bytes: Buffer } {
    const record = this.ctx.repos.attachments.get(messageId);
    if (!record || (record.direction === 'incoming' && record.state !== 'ready')) {
      throw new MessengerError('not_found', 'That attachment is not (yet) stored here.');
    }
    const chunks = Array.from({ length: record.chunkCount }, (_, i) => {
      const chunk = this.ctx.repos.attachments.chunk(messageId, i);
      if (!chunk) throw new MessengerError('not_found', 'Part of that attachment is missing.');
      return chunk;
    });
    return { record, bytes: decryptFile(record.fileKey, chunks, record.sha256, record.size) };
  }

  /**
   * How many chunks of an upload under way the relay holds, as far as this run knows (null
   * before the first pass asked the relay, e.g. just after a restart).
   */
  uploadedChunks(messageId: string): number | null {
    return this.uploaded.get(messageId)?.size ?? null;
  }

  /** Resolves once the attachment is uploaded or downloaded (or has failed for good). */
  whenSettled(messageId: string): Promise<AttachmentRecord> {
    const current = this.ctx.repos.attachments.get(messageId);
    if (!current) return Promise.reject(new MessengerError('not_found', 'No such attachment.'));
    if (current.state !== 'uploading' && current.state !== 'downloading') {
      return Promise.resolve(current);
    }
    return new Promise((resolve) => {
      this.waiting.set(messageId, [...(this.waiting.get(messageId) ?? []), resolve]);
    });
  }

  kick(): void {
    if (this.stopped) return;
    this.again = true;
    this.running ??= this.loop().finally(() => {
      this.running = null;
    });
  }

  /** Waits for the current pass (tests, and the CLI before it exits). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  stop(): void {
    this.stopped = true;
    this.justStored.clear();
    if (this.retryTimer) clearTimeout(this.retryTimer);
  }

  private async loop(): Promise<void> {
    while (this.again && !this.stopped) {
      this.again = false;
      const { attachments } = this.ctx.repos;
      try {
        for (const a of attachments.inState('uploading')) await this.attempt(a, this.upload);
        for (const a of attachments.inState('downloading')) await this.attempt(a, this.download);
        for (const a of attachments.awaitingFetchedAck()) await this.acknowledge(a);
        for (const relayId of attachments.pendingDeclines()) await this.decline(relayId);
        // A file deleted or cancelled before its first pass took its chunks leaves them here.
        for (const id of this.justStored.keys()) {
          if (attachments.get(id)?.state !== 'uploading') this.justStored.delete(id);
        }
        this.failures = 0;
      } catch (error) {
        if (this.stopped) return;
        // No answer or a busy relay: the same pass again later, from the chunk it reached.
        this.failures += 1;
        const wait =
          error instanceof RelayRequestError && error.retryAfterMs
            ? error.retryAfterMs
            : backoffDelay(this.failures, this.ctx.tuning.outboxBackoff);
        this.ctx.logger.warn('attachment_transfer_retry', {
          code: error instanceof RelayRequestError ? error.code : 'error',
          waitMs: wait,
        });
        if (this.retryTimer) clearTimeout(this.retryTimer);
        this.retryTimer = setTimeout(() => this.kick(), wait);
        this.retryTimer.unref?.();
      }
    }
  }

  /**
   * One transfer. Only "try again later" answers (no answer, 429, 5xx) go back to the loop's
   * backoff; anything else (the relay refused the request, a chunk is damaged or missing) would
   * fail the same way forever, so the transfer stops as failed with the reason, and waits for the
   * user's Retry. One attachment's failure never holds up the others.
   */
  private async attempt(
    a: AttachmentRecord,
    work: (a: AttachmentRecord) => Promise<void>,
  ): Promise<void> {
    try {
      await work.call(this, a);
    } catch (error) {
      if (this.stopped || (error instanceof RelayRequestError && error.retryable)) throw error;
      await this.fail(a, failureReason(a.direction, error));
    }
  }

  /**
   * The user's Retry of a failed transfer: back to uploading or downloading, from the chunks
   * already done. An outgoing message goes back to pending with it.
   */
  async retry(messageId: string): Promise<AttachmentRecord> {
    const current = this.ctx.repos.attachments.get(messageId);
    const message = this.ctx.repos.messages.get(messageId);
    if (!current || !message) throw new MessengerError('not_found', 'No such attachment.');
    if (current.state !== 'failed') return current;
    const record = await this.ctx.txEmit(async (emit) => {
      const outgoing = current.direction === 'outgoing';
      this.ctx.repos.attachments.setState(messageId, outgoing ? 'uploading' : 'downloading');
      if (outgoing && message.status === 'failed') {
        this.ctx.repos.messages.updateStatus(messageId, 'pending');
        emit({
          type: 'message.status',
          conversationId: message.conversationId,
          messageId,
          status: 'pending',
          failureReason: null,
        });
      }
      emit({ type: 'message.updated', message: this.ctx.repos.messages.get(messageId)! });
      return this.ctx.repos.attachments.get(messageId) as AttachmentRecord;
    });
    this.kick();
    return record;
  }

  /**
   * The user's Cancel of an upload in progress: the transfer stops after the chunk in flight and
   * the message shows as failed ("Upload cancelled") with Retry, which carries on from the chunks
   * the relay already holds. Nothing is dropped silently: the message and its file stay until the
   * user deletes them. Refused once the relay holds the whole file, since the message carrying
   * the key is then on its way.
   */
  async cancel(messageId: string): Promise<AttachmentRecord> {
    const current = this.ctx.repos.attachments.get(messageId);
    if (!current || !this.ctx.repos.messages.get(messageId)) {
      throw new MessengerError('not_found', 'No such attachment.');
    }
    if (current.direction !== 'outgoing' || current.state !== 'uploading') {
      throw new MessengerError(
        'invalid_input',
        current.direction === 'outgoing' && current.state === 'uploaded'
          ? 'The file has already been uploaded and its message sent; delete the message instead.'
          : 'Only a file being uploaded can be cancelled.',
      );
    }
    await this.fail(current, cancelledReason);
    return this.ctx.repos.attachments.get(messageId) as AttachmentRecord;
  }

  private async fail(a: AttachmentRecord, why: string): Promise<void> {
    this.ctx.logger.warn('attachment_transfer_failed', { direction: a.direction });
    await this.ctx.txEmit(async (emit) => {
      const message = this.ctx.repos.messages.get(a.messageId);
      if (!message || !this.ctx.repos.attachments.get(a.messageId)) return; // deleted meanwhile
      this.ctx.repos.attachments.setState(a.messageId, 'failed', why);
      if (a.direction === 'outgoing') {
        // The message never left: it is failed like any other, with the same Retry.
        this.ctx.repos.messages.updateStatus(a.messageId, 'failed', why);
        emit({
          type: 'message.status',
          conversationId: message.conversationId,
          messageId: a.messageId,
          status: 'failed',
          failureReason: why,
        });
      }
      emit({ type: 'message.updated', message: this.ctx.repos.messages.get(a.messageId)! });
    });
    this.settle(a.messageId);
  }

  /** Tells the renderer (and any listener) how far a transfer has got. */
  private progress(a: AttachmentRecord, done: number): void {
    const message = this.ctx.repos.messages.get(a.messageId);
    if (!message) return;
    this.ctx.events.emit({
      type: 'attachment.progress',
      conversationId: message.conversationId,
      messageId: a.messageId,
      done,
      total: a.chunkCount,
    });
  }

  /** A state change the views show (uploaded, ready): the message's view carries it. */
  private async changed(messageId: string, state: 'uploaded' | 'ready'): Promise<void> {
    await this.ctx.txEmit(async (emit) => {
      this.ctx.repos.attachments.setState(messageId, state);
      const message = this.ctx.repos.messages.get(messageId);
      if (message) emit({ type: 'message.updated', message });
    });
  }

  /**
   * Tells the relay this device has the whole file; the blob goes once every recipient device
   * has. Only once the relay has answered is the relay id forgotten, so a lost answer is sent
   * again (awaitingFetchedAck). A refusal (the blob already expired or was deleted) ends it too:
   * there is nothing left to acknowledge.
   */
  private async acknowledge(a: AttachmentRecord): Promise<void> {
    if (this.stopped || !a.relayId) return;
    try {
      await this.ctx.http.call('attachmentFetched', { params: { attachmentId: a.relayId } });
    } catch (error) {
      if (this.stopped || (error instanceof RelayRequestError && error.retryable)) throw error;
      this.ctx.logger.info('attachment_fetched_refused', {
        code: error instanceof RelayRequestError ? error.code : 'error',
      });
    }
    await this.ctx.tx(async () => this.ctx.repos.attachments.setRelayId(a.messageId, null));
  }

  /**
   * Tells the relay this device will not fetch a blob whose message was deleted here first (by
   * the user, retention, transcription or the sender), so it goes once every other recipient
   * device is done rather than at its expiry. A refusal (expired, already gone) ends it too.
   */
  private async decline(relayId: string): Promise<void> {
    if (this.stopped) return;
    try {
      await this.ctx.http.call('attachmentDeclined', { params: { attachmentId: relayId } });
    } catch (error) {
      if (this.stopped || (error instanceof RelayRequestError && error.retryable)) throw error;
      this.ctx.logger.info('attachment_declined_refused', {
        code: error instanceof RelayRequestError ? error.code : 'error',
      });
    }
    await this.ctx.tx(async () => this.ctx.repos.attachments.clearDecline(relayId));
  }

  private async upload(a: AttachmentRecord): Promise<void> {
    const { attachments } = this.ctx.repos;
    const inMemory = this.justStored.get(a.messageId);
    this.justStored.delete(a.messageId);
    // Cancelled (or deleted) since the pass listed it: read again before each step.
    const stillUploading = () => attachments.get(a.messageId)?.state === 'uploading';
    if (!stillUploading()) return;
    const message = this.ctx.repos.messages.get(a.messageId);
    if (!message) return;
    const groups = this.groups?.isGroup(message.conversationId) ? this.groups : null;
    const peer = this.ctx.repos.conversations.get(message.conversationId)?.peerAccountId ?? null;
    if (!groups && !peer) return;
    // The person's other PCs fetch a 1:1 file too (own-device sync), so the blob waits for them.
    const recipients = groups
      ? groups.recipients(message.conversationId)
      : hasOtherDevices(this.ctx)
        ? [peer as string, this.ctx.account.accountId]
        : [peer as string];
    let relayId = a.relayId;
    let received: number[] = [];
    if (relayId) {
      try {
        received = (
          await this.ctx.http.call('attachmentStatus', { params: { attachmentId: relayId } })
        ).received;
      } catch (error) {
        if (!(error instanceof RelayRequestError && error.code === 'not_found')) throw error;
        relayId = null; // expired on the relay before we finished: start again
      }
    }
    if (!relayId) {
      // Every chunk is its plaintext share plus the AES-GCM tag: no need to read them to know.
      const size = a.size + a.chunkCount * chunkTagBytes;
      const created = await this.ctx.http.call('createAttachment', {
        body: { size, chunkCount: a.chunkCount, recipients },
      });
      relayId = created.attachmentId;
      const id = relayId;
      await this.ctx.tx(async () => attachments.setRelayId(a.messageId, id));
    }
    // The relay's list is the resume state: what it holds is never sent again, after a crash or
    // a dropped connection too. Nothing is committed here per chunk.
    const done = new Set(received);
    this.uploaded.set(a.messageId, done);
    this.progress(a, done.size);
    const attachmentId = relayId;
    const todo = Array.from({ length: a.chunkCount }, (_, i) => i).filter((i) => !done.has(i));
    await inWindow(
      todo,
      () => !this.stopped && stillUploading(),
      async (index) => {
        const data = inMemory?.[index] ?? attachments.chunk(a.messageId, index);
        if (!data) throw new MessengerError('not_found', 'An attachment chunk is missing.');
        await this.ctx.http.putAttachmentChunk({ attachmentId, chunkIndex: index }, data);
        done.add(index);
        this.progress(a, done.size);
      },
    );
    if (this.stopped || !stillUploading() || done.size < a.chunkCount) return;
    await this.ctx.http.call('finishAttachment', { params: { attachmentId } });
    // Only now does the message that carries the key go out (unless cancelled meanwhile: a
    // cancelled file's message stays failed until Retry, which finds the blob complete).
    const queued = await this.ctx.txEmit(async (emit) => {
      if (!stillUploading()) return false;
      attachments.setState(a.messageId, 'uploaded');
      emit({ type: 'message.updated', message });
      const record = attachments.get(a.messageId) as AttachmentRecord;
      const content = contentOfMessage(
        message,
        this.ctx.queries.replyTo(a.messageId),
        record,
        roleTagOf(new RoleMessagesRepository(this.ctx.db), a.messageId),
      );
      if (groups) {
        groups.enqueue(message.conversationId, message, content);
        return true;
      }
      this.ctx.repos.outbox.enqueue(
        {
          kind: 'message',
          messageId: a.messageId,
          recipientAccountId: peer as string,
          payload: encodeContent(content),
        },
        this.ctx.now(),
      );
      // The person's other PCs show it as sent by me, with the file to fetch.
      if (content.kind === 'attachment') {
        enqueueSync(
          this.ctx,
          peer as string,
          {
            type: 'sent',
            messageId: a.messageId,
            ...(content.text ? { text: content.text } : {}),
            attachment: content.attachment,
            ...(content.urgent ? { urgent: true } : {}),
            ...(content.replyTo ? { replyTo: content.replyTo } : {}),
            sentAt: message.sentAt,
          },
          this.ctx.now(),
        );
      }
      return true;
    });
    if (!queued) return;
    this.uploaded.delete(a.messageId);
    if (groups) groups.kick();
    else this.ctx.kickOutbox();
    this.settle(a.messageId);
  }

  /**
   * Fetches the missing chunks, a window of them in flight at once. Each chunk is checked
   * (decrypted) before it is kept, and each window's chunks are stored in one transaction: a
   * crash loses at most the window in flight, which the next pass fetches again. The file's
   * digest is computed as the chunks come (OrderedDigest), so the last chunk's arrival is not
   * followed by hashing the whole file; chunks kept by an earlier pass are read back for it.
   */
  private download(a: AttachmentRecord): Promise<void> {
    // The checkpoints the window commits would set off wait until the file is ready.
    return withoutCheckpoints(this.ctx.db, () => this.fetchChunks(a));
  }

  private async fetchChunks(a: AttachmentRecord): Promise<void> {
    const { attachments } = this.ctx.repos;
    if (!a.relayId) throw new MessengerError('not_found', 'The message named no relay blob.');
    const relayId = a.relayId;
    const stored = new Set(attachments.storedIndexes(a.messageId));
    const storedBefore = new Set(stored);
    const todo = Array.from({ length: a.chunkCount }, (_, i) => i).filter((i) => !stored.has(i));
    let gone = false;
    const digest = new OrderedDigest(a.chunkCount, (index) => {
      if (!storedBefore.has(index)) return null;
      const data = attachments.chunk(a.messageId, index);
      if (!data) throw new MessengerError('not_found', 'Part of that attachment is missing.');
      return decryptChunk(a.fileKey, index, a.chunkCount, data);
    });
    await inWindow(
      todo,
      () => !this.stopped && !gone,
      async (index) => {
        const data = await this.ctx.http.getAttachmentChunk({
          attachmentId: relayId,
          chunkIndex: index,
        });
        // Checked before it is kept: a damaged chunk is never stored as progress.
        digest.add(index, decryptChunk(a.fileKey, index, a.chunkCount, data));
        return data;
      },
      async (batch) => {
        // A message deleted meanwhile (transcribed, expired, deleted by its sender) took its
        // attachment row: no chunk may outlive it in the profile.
        const kept = await this.ctx.tx(async () => {
          if (!attachments.get(a.messageId)) return false;
          for (const [index, data] of batch) attachments.putChunk(a.messageId, index, data);
          return true;
        });
        if (!kept) {
          gone = true;
          return;
        }
        for (const [index] of batch) stored.add(index);
        this.progress(a, stored.size);
      },
    );
    if (this.stopped || gone || stored.size < a.chunkCount) return;
    // The whole file against the sender's digest.
    digest.check(a.sha256, a.size);
    await this.changed(a.messageId, 'ready');
    this.settle(a.messageId);
  }

  private settle(messageId: string): void {
    const record = this.ctx.repos.attachments.get(messageId);
    const waiting = this.waiting.get(messageId) ?? [];
    this.waiting.delete(messageId);
    if (record) for (const resolve of waiting) resolve(record);
  }
}

/** Why a transfer stopped, worded for the user, ending with what to do. */
/** Shown on a cancelled upload's message, beside its Retry. */
export const cancelledReason = 'Upload cancelled: the file was not sent. Retry sends it.';

function failureReason(direction: 'outgoing' | 'incoming', error: unknown): string {
  if (
    direction === 'incoming' &&
    error instanceof RelayRequestError &&
    error.code === 'not_found'
  ) {
    return 'The attachment is no longer on the relay (it expired); ask the sender to send it again.';
  }
  const what = direction === 'outgoing' ? 'sent' : 'fetched';
  const why =
    error instanceof RelayRequestError
      ? `the relay refused it (${error.message.replace(/\.$/, '')})`
      : error instanceof MessengerError
        ? error.message.replace(/\.$/, '')
        : 'it could not be decrypted or checked';
  return `The file could not be ${what}: ${why}. Press Retry to try again.`;
}
