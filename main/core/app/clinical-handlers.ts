/**
 * The clinical IPC handlers: transcription into the patient record, the audit log view and the
 * Subject Access Request export, plus the retention timer of the unlocked profile (started with
 * a catch-up sweep on unlock, stopped on lock). Plugged into createAppCore as `clinical`.
 */
import { MessengerError } from '../../../shared/errors.js';
import type { TranscriptionForm } from '../../../shared/ipc/clinical-schemas.js';
import type { Policy } from '../policy/policy-schema.js';
import { listAuditView } from '../audit/audit-view.js';
import { exportConversation } from '../audit/export-conversation.js';
import { SensitiveClipboard, type SystemClipboard } from '../clipboard/sensitive-clipboard.js';
import type { IpcEventEmitter } from '../ipc/ipc-event-emitter.js';
import { createLogger, type Logger } from '../log/logger.js';
import type { OpenProfile } from '../profile/open-profile.js';
import { RetentionService } from '../retention/retention-service.js';
import { systemClock, type TimerClock } from '../time/timer-clock.js';
import type { OriginalsDeleter } from '../transcription/originals-deleter.js';
import { originalsDeleterFor } from '../transcription/originals-deleter-registry.js';
import { EntryHandovers } from '../transcription/entry-handovers.js';
import { PendingDeletionRunner } from '../transcription/pending-deletion-runner.js';
import { ownStaffIdentity } from '../transcription/staff-directory.js';
import { TranscriptionService } from '../transcription/transcription-service.js';
import { UntranscribedAdviceQueries } from '../retention/untranscribed-advice.js';
import { MessagingViews } from './messaging-views.js';
import type { EventObserver } from './app-core.js';
import type { AppSession } from './app-session.js';
import type { ClinicalHandlers } from './ipc-handlers.js';
import { describeError } from '../../../shared/describe-error.js';

/** Native file dialogs (main/electron/pick-path.ts); null where there is no desktop (tests, CLI). */
export interface PathPicker {
  saveFile(options: { title: string; defaultName: string }): Promise<string | null>;
  chooseFolder(options: { title: string }): Promise<string | null>;
}

export interface ClinicalOptions {
  readonly policy: Policy;
  readonly clipboard: SystemClipboard | null;
  readonly pickPath: PathPicker | null;
  /**
   * The messaging core of the open profile (delete-for-everyone); null until enrolled. By default
   * the one the messaging handlers registered (originals-deleter-registry.ts).
   */
  readonly originalsDeleter?: (profile: OpenProfile) => OriginalsDeleter | null;
  readonly clock?: TimerClock;
  /** How long a confirmed transcription can be undone (default 10 s). */
  readonly undoWindowMs?: number;
  readonly logger?: Logger;
}

export interface ClinicalContext {
  readonly session: AppSession;
  readonly events: IpcEventEmitter;
  readonly observe: (observer: EventObserver) => () => void;
}

interface Running {
  readonly profile: OpenProfile;
  readonly retention: RetentionService;
  /** Confirmed transcriptions waiting out their undo window. */
  readonly pending: PendingDeletionRunner;
  /** Entries copied or saved while unlocked; forgotten on lock. */
  readonly handovers: EntryHandovers;
}

export function createClinicalHandlers(
  options: ClinicalOptions,
): (context: ClinicalContext) => ClinicalHandlers {
  const log = options.logger ?? createLogger('app.clinical');
  const clock = options.clock ?? systemClock;
  const clipboard = options.clipboard
    ? new SensitiveClipboard(options.clipboard, clock, options.policy.clipboardClearSeconds * 1000)
    : null;

  return ({ session, events, observe }) => {
    let running: Running | null = null;

    const openProfile = (): OpenProfile => {
      const profile = session.current()?.profile;
      if (!profile || profile.closed) {
        throw new MessengerError('profile_locked', 'Unlock your profile first.');
      }
      return profile;
    };
    const deleterFor = (profile: OpenProfile) =>
      (options.originalsDeleter ?? originalsDeleterFor)(profile);

    /** Retention for the open profile, started (with its catch-up sweep) on first use. */
    const ensureRunning = (): Running => {
      const profile = openProfile();
      if (running?.profile === profile) return running;
      running?.retention.stop();
      const retention = new RetentionService({
        profile,
        retentionDays: options.policy.retentionDays,
        clock,
        // Looked up at sweep time: messaging may start after retention did.
        deleter: {
          deleteForEveryone: (...args) =>
            requireDeleter(deleterFor(profile)).deleteForEveryone(...args),
          sendTranscribedNotice: (...args) =>
            requireDeleter(deleterFor(profile)).sendTranscribedNotice(...args),
        },
        onDeleted: (deleted, markers) => {
          for (const { conversationId, messageIds, reason } of deleted) {
            events.emit('messages.deleted', {
              conversationId,
              messageIds: [...messageIds],
              reason,
            });
          }
          if (markers.length === 0) return;
          const views = new MessagingViews(profile);
          for (const marker of markers) {
            events.emit('message.added', { message: views.message(marker) });
          }
        },
      });
      const pending = new PendingDeletionRunner({
        profile,
        deleter: () => deleterFor(profile),
        clock,
        expiriesChanged: () => retention.reschedule(),
      });
      running = { profile, retention, pending, handovers: new EntryHandovers() };
      retention.start().catch((error: unknown) => {
        log.error('retention_start_failed', { error: describeError(error) });
      });
      // What fell due while locked or closed goes out now (docs/security.md).
      pending.start().catch((error: unknown) => {
        log.error('pending_deletions_failed', { error: describeError(error) });
      });
      return running;
    };

    observe((event) => {
      try {
        if (event === 'session.unlocked') ensureRunning();
        // New messages, expiries set by a peer's transcribed notice, and deletions made
        // elsewhere (a peer's delete-for-everyone) all move the soonest expiry.
        if (
          event === 'message.added' ||
          event === 'message.updated' ||
          event === 'messages.deleted'
        ) {
          running?.retention.reschedule();
        }
        if (event === 'session.locked') {
          running?.retention.stop();
          running?.pending.stop();
          running?.handovers.clear();
          running = null;
          // Nothing copied from a profile outlives its session.
          clipboard?.clearIfStillOurs();
        }
      } catch (error) {
        log.warn('clinical_event_failed', { event, error: describeError(error) });
      }
    });

    const transcription = (): TranscriptionService => {
      const { profile, pending, handovers } = ensureRunning();
      return new TranscriptionService({
        profile,
        deleter: deleterFor(profile),
        clipboard,
        handovers,
        now: () => clock.now(),
        ...(options.undoWindowMs === undefined ? {} : { undoWindowMs: options.undoWindowMs }),
        pendingChanged: () => pending.reschedule(),
        recordIdentifierBase: options.policy.recordIdentifierBase,
      });
    };
    const advice = () => {
      const { profile } = ensureRunning();
      return { profile, queries: new UntranscribedAdviceQueries(profile.db, profile.repositories) };
    };
    const assertComplete = (service: TranscriptionService, form: TranscriptionForm) => {
      const { errors } = service.render(form, 'text');
      if (errors.length > 0) {
        throw new MessengerError(
          'invalid_input',
          `The record entry is incomplete or invalid: ${errors.join('; ')}`,
        );
      }
    };
    const picker = (): PathPicker => {
      if (!options.pickPath) {
        throw new MessengerError(
          'not_implemented',
          'Saving files needs the desktop app; it is not available here.',
        );
      }
      return options.pickPath;
    };

    return {
      'transcription.draft': (selection) => transcription().draft(selection),
      'transcription.render': ({ form, format }) => transcription().render(form, format),
      'transcription.copy': ({ form }) => transcription().copy(form),
      'transcription.saveFhir': async ({ form }) => {
        const service = transcription();
        assertComplete(service, form);
        const file = await picker().saveFile({
          title: 'Save the record entry (FHIR Communication)',
          defaultName: `record-entry-${new Date(clock.now()).toISOString().slice(0, 10)}.json`,
        });
        if (file === null) return { saved: false, fileName: null };
        return { saved: true, ...service.saveFhir(form, file) };
      },
      // The renderer hears of the deletion from the deleter (the messaging core's
      // message.deleted, forwarded as messages.deleted), once, as for every other deletion.
      'transcription.confirm': ({ form, enteredAnotherWay }) =>
        transcription().confirm(form, { enteredAnotherWay }),
      'transcription.scope': (selection) => transcription().scope(selection),
      'transcription.undo': ({ auditId }) => {
        const { profile, pending } = ensureRunning();
        pending.undo(auditId, ownStaffIdentity(profile.repositories).accountId);
        return { undone: true as const };
      },
      'advice.untranscribed': () => ({
        warningDays: options.policy.retentionWarningDays,
        items: advice().queries.expiringWithin(clock.now(), options.policy.retentionWarningDays),
      }),
      'advice.markNoRecordNeeded': ({ messageIds }) => {
        const { profile, queries } = advice();
        const actor = ownStaffIdentity(profile.repositories).accountId;
        return { marked: queries.markNoRecordNeeded(messageIds, actor, clock.now()) };
      },
      'audit.list': ({ limit, beforeId }) =>
        listAuditView(openProfile().repositories, {
          limit,
          ...(beforeId === undefined ? {} : { beforeId }),
        }),
      'export.conversation': ({ conversationId, passcode, reference }) => {
        const pick = picker();
        return exportConversation(
          openProfile(),
          options.policy,
          {
            conversationId,
            passcode,
            reference: reference ?? null,
            chooseFolder: () =>
              pick.chooseFolder({ title: 'Choose a folder for the conversation export' }),
          },
          () => clock.now(),
        );
      },
    };
  };
}

function requireDeleter(deleter: OriginalsDeleter | null): OriginalsDeleter {
  if (deleter === null) {
    throw new MessengerError('not_implemented', 'Messaging is not running for this profile.');
  }
  return deleter;
}
