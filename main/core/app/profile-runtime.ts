/**
 * Everything that runs while one profile is unlocked, wired to each other directly: the
 * messaging core (once the profile is enrolled), retention, transcription's pending deletions
 * and handovers, untranscribed advice, the renderer views, and what the relay's refusal of this
 * device demands. Built by the session when the profile unlocks; disposed of before its database
 * closes on lock or profile switch, so nothing outlives the session.
 */
import { MessengerError } from '../../../shared/errors.js';
import { describeError } from '../../../shared/describe-error.js';
import type { SensitiveClipboard } from '../clipboard/sensitive-clipboard.js';
import type { IpcEventEmitter } from '../ipc/ipc-event-emitter.js';
import type { Logger } from '../log/logger.js';
import type { MessagingTuning } from '../messaging/core-context.js';
import { enrolProfile } from '../messaging/enrolment.js';
import type { MessagingEvent } from '../messaging/messaging-events.js';
import { MessagingCore } from '../messaging/messaging-core.js';
import { readRelayAccount, type RelayAccount } from '../messaging/relay-account.js';
import { parseRelayUrls } from '../messaging/relay/relay-addresses.js';
import { TlsPin } from '../messaging/relay/tls-pin.js';
import type { Policy } from '../policy/policy-schema.js';
import type { OpenProfile } from '../profile/open-profile.js';
import { RetentionService, type DeletedMessages } from '../retention/retention-service.js';
import { UntranscribedAdviceQueries } from '../retention/untranscribed-advice.js';
import type { TimerClock } from '../time/timer-clock.js';
import { EntryHandovers } from '../transcription/entry-handovers.js';
import type { OriginalsDeleter } from '../transcription/originals-deleter.js';
import { PendingDeletionRunner } from '../transcription/pending-deletion-runner.js';
import { TranscriptionService } from '../transcription/transcription-service.js';
import type { MessageRecord } from '../db/repositories/messages-repository.js';
import { MessageSearchIndexer } from '../db/message-search-indexer.js';
import { forwardMessagingEvent } from './messaging-event-forwarder.js';
import { MessagingViews } from './messaging-views.js';
import { PracticeAuditForwarder } from '../audit/practice-audit-forwarder.js';
import { PatientKeySync } from '../audit/patient-key-sync.js';
import { RoleService } from '../roles/role-service.js';
import { RoleAlertPoller } from '../roles/role-alert-poller.js';
import { PracticeAuditCache, type PracticeAuditTrail } from '../audit/practice-audit-reader.js';
import type { UnlockedProfile } from './profile-gateway.js';
import { OpenedFiles } from './opened-files.js';
import { StagedAttachments } from './staged-attachments.js';

export interface ProfileRuntimeOptions {
  readonly unlocked: UnlockedProfile;
  readonly policy: Policy;
  /** The renderer's events. */
  readonly events: IpcEventEmitter;
  /** Record entries copied from this profile; cleared when it locks. */
  readonly clipboard: SensitiveClipboard | null;
  /** Retention and transcription timers. */
  readonly clock: TimerClock;
  /** The messaging core's clock (message timestamps); Date.now unless a test says otherwise. */
  readonly now?: () => number;
  readonly tuning?: Partial<MessagingTuning>;
  readonly logger: Logger;
  /** How long a confirmed transcription can be undone (default 10 s). */
  readonly undoWindowMs?: number;
  /** Locks the session if this runtime is still its current one (remote wipe). */
  readonly lockSession: () => Promise<void>;
  /** How often this device's audit events go to the practice trail (default 5 s). */
  readonly auditForwardMs?: number;
}

/**
 * The background passes over stored messages (retention's catch-up, the search index) start once
 * the renderer has shown the first conversation list and then asked nothing for this long (it
 * paints the list, the user opens a conversation and its first page loads)...
 */
const backgroundQuietMs = 1_000;
/** ...but no later than this after the first list, however busy the renderer stays... */
const backgroundLatestMs = 10_000;
/** ...or this long after unlock when nothing asks for the list (no window open). */
const backgroundWithoutListMs = 3_000;

/** A person shown as "not in the directory yet" is looked up at most this often. */
const lookUpIntervalMs = 60_000;
/** How often the practice's patient-reference key is fetched and shared (a new PC, a rotation). */
const patientKeySyncMs = 15_000;

export class ProfileRuntime {
  readonly profile: OpenProfile;
  readonly views: MessagingViews;
  readonly retention: RetentionService;
  /** Confirmed transcriptions waiting out their undo window. */
  readonly pending: PendingDeletionRunner;
  /** Entries copied or saved while unlocked; forgotten on lock. */
  readonly handovers = new EntryHandovers();
  /** Files chosen but not sent yet; forgotten on lock. */
  readonly staged = new StagedAttachments();
  /** Decrypted copies given to the system's viewer; deleted on lock. */
  readonly opened = new OpenedFiles();
  readonly advice: UntranscribedAdviceQueries;
  /** Builds the search index of messages stored before it existed, in the background. */
  readonly searchIndexer: MessageSearchIndexer;
  private core: MessagingCore | null = null;
  private roleService: RoleService | null = null;
  private rolePoller: RoleAlertPoller | null = null;
  private auditForwarder: PracticeAuditForwarder | null = null;
  private auditTimer: NodeJS.Timeout | null = null;
  private patientKeys: PatientKeySync | null = null;
  /** What the manager's view verified of the practice trail while unlocked. */
  private readonly auditCache = new PracticeAuditCache();
  private patientKeysSyncedAt = -Infinity;
  private disposed = false;
  private readonly lookedUpAt = new Map<string, number>();
  /** Retention's catch-up and first sweep after unlock (settles, never rejects). */
  private retentionStarted: Promise<unknown> = Promise.resolve();
  /** Opens when the background passes may start (backgroundQuietMs). */
  private readonly backgroundGate: Promise<void>;
  private openBackgroundGate: () => void = () => undefined;
  private backgroundTimer: NodeJS.Timeout | null = null;
  private backgroundOpen = false;
  /** When the first conversation list was answered (Date.now), null before. */
  private listServedAt: number | null = null;

  /** Builds the runtime of a just-unlocked profile and starts its services. */
  static start(options: ProfileRuntimeOptions): ProfileRuntime {
    const runtime = new ProfileRuntime(options);
    runtime.start();
    return runtime;
  }

  private constructor(private readonly options: ProfileRuntimeOptions) {
    const profile = options.unlocked.profile;
    this.profile = profile;
    this.backgroundGate = new Promise((resolve) => {
      this.openBackgroundGate = () => {
        this.backgroundOpen = true;
        resolve();
      };
    });
    this.views = new MessagingViews(
      profile,
      (accountId) => this.lookUpUnknown(accountId),
      (messageId) => this.core?.attachments.uploadedChunks(messageId) ?? null,
    );
    this.advice = new UntranscribedAdviceQueries(profile.db, profile.repositories);
    this.searchIndexer = new MessageSearchIndexer({ db: profile.db, logger: options.logger });
    // Retention deletes this user's transcribed messages everywhere through the messaging core,
    // which may start after retention does (enrolment comes after the first unlock).
    const deleter: OriginalsDeleter = {
      deleteForEveryone: (...args) => this.requireMessaging().deleteForEveryone(...args),
      sendTranscribedNotice: (...args) => this.requireMessaging().sendTranscribedNotice(...args),
    };
    this.retention = new RetentionService({
      profile,
      retentionDays: options.policy.retentionDays,
      clock: options.clock,
      deleter,
      onDeleted: (deleted, markers) => this.announceDeleted(deleted, markers),
      catchUpAfter: () => this.backgroundGate,
    });
    this.pending = new PendingDeletionRunner({
      profile,
      deleter: () => this.messaging(),
      clock: options.clock,
      expiriesChanged: () => this.retention.reschedule(),
    });
  }

  private start(): void {
    const { logger } = this.options;
    this.retentionStarted = this.retention.start().catch((error: unknown) => {
      logger.error('retention_start_failed', { error: describeError(error) });
    });
    // What fell due while locked or closed goes out now (docs/security.md).
    this.pending.start().catch((error: unknown) => {
      logger.error('pending_deletions_failed', { error: describeError(error) });
    });
    // After retention's start (which may VACUUM and so restart the index), once the first list
    // is shown (listServed).
    this.backgroundTimer = setTimeout(() => this.openBackgroundGate(), backgroundWithoutListMs);
    this.backgroundTimer.unref();
    void this.backgroundGate.then(() => this.searchIndexer.start());
    try {
      this.startMessaging();
    } catch (error) {
      // The profile stays usable (history, transcription, export) while messaging cannot run.
      logger.warn('messaging_start_failed', { error: describeError(error) });
    }
  }

  /**
   * Resolves once the passes that unlock starts in the background (retention's catch-up and
   * first sweep, the search index) have finished, failed or been stopped. For benchmarks and
   * tests that want to measure or check what comes after them.
   */
  async whenBackgroundPassesDone(): Promise<void> {
    // The index pass starts only when the gate opens; before that its whenDone() is immediate.
    await this.backgroundGate;
    await Promise.allSettled([this.retentionStarted, this.searchIndexer.whenDone()]);
  }

  /**
   * The renderer's conversation list was answered: the background passes wait for the renderer
   * to go quiet (callMade) rather than compete with the first screens.
   */
  listServed(): void {
    if (this.listServedAt !== null || this.disposed) return;
    this.listServedAt = Date.now();
    this.armBackgroundGate();
  }

  /** The renderer asked for something: after the first list, the passes wait a little longer. */
  callMade(): void {
    if (this.listServedAt !== null && !this.backgroundOpen && !this.disposed) {
      this.armBackgroundGate();
    }
  }

  private armBackgroundGate(): void {
    if (this.backgroundTimer) clearTimeout(this.backgroundTimer);
    const latest = (this.listServedAt ?? Date.now()) + backgroundLatestMs - Date.now();
    this.backgroundTimer = setTimeout(
      () => this.openBackgroundGate(),
      Math.max(0, Math.min(backgroundQuietMs, latest)),
    );
    this.backgroundTimer.unref();
  }

  /** Stops every service while the database is still open; idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.backgroundTimer) clearTimeout(this.backgroundTimer);
    // Lets what waits for it settle: the passes see they were stopped and end.
    this.openBackgroundGate();
    if (this.auditTimer) clearInterval(this.auditTimer);
    this.rolePoller?.stop();
    this.core?.stop();
    this.retention.stop();
    this.pending.stop();
    this.searchIndexer.stop();
    this.handovers.clear();
    this.staged.clear();
    this.opened.clear();
    // Nothing copied from a profile outlives its session.
    this.options.clipboard?.clearIfStillOurs();
  }

  /** The relay account, or null before enrolment. */
  account(): RelayAccount | null {
    return readRelayAccount(this.profile.repositories.settings);
  }

  /** The messaging core; null until the profile is enrolled. */
  messaging(): MessagingCore | null {
    return this.core;
  }

  /** The messaging core; `not_found` when the profile has not enrolled yet. */
  enrolled(): MessagingCore {
    if (this.core === null) {
      throw new MessengerError(
        'not_found',
        'This profile is not enrolled with the practice relay yet. Enrol it first.',
      );
    }
    return this.core;
  }

  /** Enrols with the practice relay (the policy's, when it names one) and starts messaging. */
  async enrol(
    serverUrl: string,
    code: { readonly code: string } | { readonly linkCode: string },
  ): Promise<RelayAccount> {
    const { policy } = this.options;
    if (policy.serverUrl && !sameRelay(policy.serverUrl, serverUrl)) {
      throw new MessengerError(
        'policy_restricted',
        `Your practice's policy requires the relay ${policy.serverUrl}.`,
      );
    }
    const account = await enrolProfile(this.profile, {
      serverUrl,
      ...code,
      pin: policy.serverCertificateSha256 ? new TlsPin(policy.serverCertificateSha256) : null,
      ...(this.options.now ? { now: this.options.now } : {}),
    });
    this.startMessaging();
    // From now on a wrong-passcode wipe can be reported to the practice trail.
    await this.options.unlocked.keepWipeReport?.().catch((error: unknown) => {
      this.options.logger.warn('wipe_report_credential_failed', { error: describeError(error) });
    });
    return account;
  }

  /** Transcription on this profile, deleting originals through the messaging core. */
  transcription(): TranscriptionService {
    const { options } = this;
    return new TranscriptionService({
      profile: this.profile,
      deleter: this.core,
      clipboard: options.clipboard,
      handovers: this.handovers,
      now: () => options.clock.now(),
      ...(options.undoWindowMs === undefined ? {} : { undoWindowMs: options.undoWindowMs }),
      pendingChanged: () => this.pending.reschedule(),
      recordIdentifierBase: options.policy.recordIdentifierBase,
    });
  }

  private startMessaging(): void {
    if (this.core || this.disposed || !this.account()) return;
    const core = MessagingCore.open(this.profile, {
      serverCertificateSha256: this.options.policy.serverCertificateSha256,
      logger: this.options.logger,
      ...(this.options.now ? { now: this.options.now } : {}),
      ...(this.options.tuning ? { tuning: this.options.tuning } : {}),
    });
    core.events.on((event) => this.messagingEvent(event));
    this.core = core;
    core.start();
    this.startAuditForwarding(core);
    this.roleService = new RoleService(core, this.options.now ?? Date.now);
    this.rolePoller = new RoleAlertPoller(
      this.roleService,
      (messageIds) => this.announceUpdated(messageIds),
      this.options.logger,
    );
    this.rolePoller.start();
  }

  /** Duty roles of the enrolled profile (issue 15). */
  roles(): RoleService {
    this.enrolled();
    return this.roleService as RoleService;
  }

  /** Messages whose role state changed (acknowledged, escalated) go to the renderer again. */
  announceUpdated(messageIds: readonly string[]): void {
    if (this.disposed || this.profile.closed) return;
    for (const id of messageIds) {
      const record = this.profile.repositories.messages.get(id);
      if (record)
        this.options.events.emit('message.updated', { message: this.views.message(record) });
    }
  }

  /** This device's audit events go to the practice trail now and then every few seconds. */
  private startAuditForwarding(core: MessagingCore): void {
    const account = this.account();
    if (!account) return;
    const forwarder = new PracticeAuditForwarder(
      this.profile.repositories,
      account,
      core.relay,
      this.options.now ?? Date.now,
    );
    this.auditForwarder = forwarder;
    this.patientKeys = new PatientKeySync(
      this.profile.repositories,
      account,
      core.relay,
      this.options.now ?? Date.now,
    );
    const tick = () => void this.flushAudit();
    this.auditTimer = setInterval(tick, this.options.auditForwardMs ?? 5_000);
    this.auditTimer.unref();
    tick();
  }

  /** Sends what the practice trail has not had yet; false when it could not (tried again later). */
  async flushAudit(): Promise<boolean> {
    if (!this.auditForwarder || this.disposed) return false;
    await this.syncPatientKeys(false);
    try {
      await this.auditForwarder.flush();
      return true;
    } catch (error) {
      this.options.logger.warn('practice_audit_send_failed', { error: describeError(error) });
      return false;
    }
  }

  /**
   * Fetches the practice's patient-reference key versions and shares them with devices lacking
   * them (patient-key-sync.ts): at most every 15 s unless forced (before a patient lookup).
   */
  async syncPatientKeys(force: boolean): Promise<boolean> {
    if (!this.patientKeys || this.disposed) return false;
    const now = Date.now();
    if (!force && now - this.patientKeysSyncedAt < patientKeySyncMs) return true;
    try {
      await this.patientKeys.sync();
      this.patientKeysSyncedAt = now;
      return true;
    } catch (error) {
      this.options.logger.warn('patient_key_sync_failed', { error: describeError(error) });
      return false;
    }
  }

  /** A new patient-reference key version for the practice (a manager or admin). */
  async rotatePatientKey(): Promise<{ version: number }> {
    if (!this.patientKeys) {
      throw new MessengerError('not_found', 'This profile is not enrolled with a relay.');
    }
    return this.patientKeys.rotate();
  }

  /**
   * The practice audit trail, for a manager or admin (the relay refuses anyone else): `full`
   * reads and checks the whole chain, `newer` only what was appended since the last read this
   * session, `cached` what is here (PracticeAuditCache).
   */
  async practiceAudit(mode: 'full' | 'newer' | 'cached' = 'newer'): Promise<PracticeAuditTrail> {
    const account = this.account();
    return this.auditCache.read(
      this.enrolled().relay,
      this.profile.repositories,
      account!,
      this.options.now ?? Date.now,
      mode,
    );
  }

  private messagingEvent(event: MessagingEvent): void {
    // New messages, expiries set by a peer's transcribed notice, and deletions made elsewhere
    // (a peer's delete-for-everyone) all move the soonest expiry.
    if (
      !this.disposed &&
      (event.type === 'message.added' ||
        event.type === 'message.updated' ||
        event.type === 'message.deleted')
    ) {
      this.retention.reschedule();
    }
    forwardMessagingEvent(event, this, this.options.events);
    if (event.type === 'account.stopped' && event.reason === 'wipe') void this.wipe();
  }

  /**
   * The practice revoked this device with remote wipe: lock (closing the database, so its key
   * leaves memory), then erase the profile's files and keychain entry.
   */
  private async wipe(): Promise<void> {
    const { logger } = this.options;
    try {
      await this.options.lockSession();
      await this.options.unlocked.erase();
      logger.warn('profile_remote_wiped', { profileId: this.profile.id });
    } catch (error) {
      logger.error('remote_wipe_failed', {
        profileId: this.profile.id,
        error: describeError(error),
      });
    }
  }

  /** Retention's deletions, and the notices it wrote in place of transcribed runs. */
  private announceDeleted(
    deleted: readonly DeletedMessages[],
    markers: readonly MessageRecord[],
  ): void {
    const { events } = this.options;
    for (const { conversationId, messageIds, reason } of deleted) {
      events.emit('messages.deleted', { conversationId, messageIds: [...messageIds], reason });
    }
    for (const marker of markers) {
      events.emit('message.added', { message: this.views.message(marker) });
    }
  }

  /**
   * Someone was shown as "not in the directory yet": ask the relay (at most once a minute per
   * person) and, when found, announce their conversation again with the name and role.
   */
  private lookUpUnknown(accountId: string): void {
    const now = (this.options.now ?? Date.now)();
    const core = this.core;
    const last = this.lookedUpAt.get(accountId) ?? -Infinity;
    if (!core || core.isStopped || last > now - lookUpIntervalMs) return;
    this.lookedUpAt.set(accountId, now);
    core.refreshContact(accountId).then(
      () => {
        if (this.profile.closed) return;
        const conversation = this.profile.repositories.conversations.findDirect(accountId);
        if (conversation) {
          this.options.events.emit('conversation.updated', {
            conversation: this.views.conversation(conversation),
          });
        }
      },
      (error: unknown) =>
        this.options.logger.info('contact_lookup_failed', { error: describeError(error) }),
    );
  }

  private requireMessaging(): MessagingCore {
    if (this.core === null) {
      throw new MessengerError('not_implemented', 'Messaging is not running for this profile.');
    }
    return this.core;
  }
}

/** The same relay addresses, in any order (the policy's list, or one the user typed). */
function sameRelay(a: string, b: string): boolean {
  const normal = (urls: string) =>
    parseRelayUrls(urls)
      .map((url) => url.toString())
      .sort()
      .join(' ');
  return normal(a) === normal(b);
}
