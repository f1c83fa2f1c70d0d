/**
 * The messaging IPC handlers: the factory that createAppCore takes as `messaging`. It runs one
 * MessagingCore for the unlocked profile (started when the profile unlocks, stopped before it
 * closes on lock or switch) and forwards the core's events to the renderer.
 */
import { createPidDetector } from '../../../shared/clinical/pid-detector.js';
import { auditSentDespitePid, checkPidBeforeSend } from '../audit/pid-send-guard.js';
import { MessengerError } from '../../../shared/errors.js';
import type { DirectoryContact } from '../../../shared/ipc/view-schemas.js';
import type { Logger } from '../log/logger.js';
import { createLogger } from '../log/logger.js';
import { enrolProfile } from '../messaging/enrolment.js';
import type { MessagingTuning } from '../messaging/core-context.js';
import { MessagingCore, toMessengerError } from '../messaging/messaging-core.js';
import { readRelayAccount } from '../messaging/relay-account.js';
import { registerOriginalsDeleter } from '../transcription/originals-deleter-registry.js';
import { TlsPin } from '../messaging/relay/tls-pin.js';
import type { Policy } from '../policy/policy-schema.js';
import type { OpenProfile } from '../profile/open-profile.js';
import type { AppCoreOptions } from './app-core.js';
import type { MessagingHandlers } from './ipc-handlers.js';
import { MessagingViews, decodeCursor, encodeCursor } from './messaging-views.js';
import { forwardMessagingEvent } from './messaging-event-forwarder.js';
import type { UnlockedProfile } from './profile-gateway.js';

export interface MessagingHandlerOptions {
  readonly policy: Policy;
  /**
   * Erases a profile the relay ordered wiped; by default the unlocked profile's own `erase`
   * (profileStoreGateway: ProfileStore.delete, files and keychain entry).
   */
  readonly wipeProfile?: (profileId: string) => Promise<void>;
  readonly now?: () => number;
  readonly logger?: Logger;
  readonly tuning?: Partial<MessagingTuning>;
}

type MessagingFactory = NonNullable<AppCoreOptions['messaging']>;

interface Running {
  readonly unlocked: UnlockedProfile;
  readonly profile: OpenProfile;
  readonly views: MessagingViews;
  core: MessagingCore | null;
}

export function createMessagingHandlers(options: MessagingHandlerOptions): MessagingFactory {
  const log = options.logger ?? createLogger('app.messaging');
  const detectPid = createPidDetector({
    hospitalNumberPatterns: options.policy.hospitalNumberPatterns,
  });
  return ({ session, events, observe }) => {
    let running: Running | null = null;

    const lookedUpAt = new Map<string, number>();
    /**
     * Someone was shown as "not in the directory yet": ask the relay (at most once a minute per
     * person) and, when found, announce their conversation again with the name and role.
     */
    const lookUpUnknown = (state: Running, accountId: string): void => {
      const now = (options.now ?? Date.now)();
      const core = state.core;
      if (!core || core.isStopped || (lookedUpAt.get(accountId) ?? -Infinity) > now - 60_000) {
        return;
      }
      lookedUpAt.set(accountId, now);
      core.refreshContact(accountId).then(
        () => {
          if (state.profile.closed) return;
          const conversation = state.profile.repositories.conversations.findDirect(accountId);
          if (conversation) {
            events.emit('conversation.updated', {
              conversation: state.views.conversation(conversation),
            });
          }
        },
        (error: unknown) =>
          log.info('contact_lookup_failed', {
            reason: error instanceof Error ? error.message : typeof error,
          }),
      );
    };

    const startCore = (state: Running): void => {
      if (state.core || !readRelayAccount(state.profile.repositories.settings)) return;
      const core = MessagingCore.open(state.profile, {
        serverCertificateSha256: options.policy.serverCertificateSha256,
        logger: log,
        ...(options.now ? { now: options.now } : {}),
        ...(options.tuning ? { tuning: options.tuning } : {}),
      });
      core.events.on((event) =>
        forwardMessagingEvent(event, state, {
          events,
          session,
          logger: log,
          wipeProfile: options.wipeProfile,
        }),
      );
      state.core = core;
      // Transcription deletes the originals everywhere through this core.
      registerOriginalsDeleter(state.profile, core);
      core.start();
    };

    /** The state of the unlocked profile, created (and its core started) on first use. */
    const current = (): Running => {
      const unlocked = session.current();
      if (!unlocked) throw new MessengerError('profile_locked', 'Unlock your profile first.');
      if (running?.unlocked === unlocked && !running.profile.closed) return running;
      running?.core?.stop();
      const profile = unlocked.profile;
      if (!profile || profile.closed) {
        throw new MessengerError(
          'not_implemented',
          'This profile store does not expose the profile database to messaging.',
        );
      }
      const state: Running = {
        unlocked,
        profile,
        views: new MessagingViews(profile, (accountId) => lookUpUnknown(state, accountId)),
        core: null,
      };
      running = state;
      profile.onClose(() => {
        state.core?.stop();
        if (running === state) running = null;
      });
      startCore(state);
      return state;
    };

    const enrolled = (): Running & { core: MessagingCore } => {
      const state = current();
      if (!state.core) {
        throw new MessengerError(
          'not_found',
          'This profile is not enrolled with the practice relay yet. Enrol it first.',
        );
      }
      return state as Running & { core: MessagingCore };
    };

    observe?.((event) => {
      if (event !== 'session.unlocked') return;
      try {
        current();
      } catch (error) {
        log.warn('messaging_start_failed', { reason: (error as Error).message });
      }
    });

    const guard = async <T>(work: () => Promise<T> | T): Promise<T> => {
      try {
        return await work();
      } catch (error) {
        throw toMessengerError(error);
      }
    };

    const handlers: MessagingHandlers = {
      'account.get': () => {
        const state = current();
        const account = readRelayAccount(state.profile.repositories.settings);
        return {
          enrolled: account !== null,
          self: account ? selfContact(account) : null,
          serverUrl: account?.serverUrl ?? options.policy.serverUrl,
          connection: state.core?.connectionState ?? null,
        };
      },
      'account.enrol': ({ serverUrl, enrolmentCode }) =>
        guard(async () => {
          const state = current();
          if (options.policy.serverUrl && !sameRelay(options.policy.serverUrl, serverUrl)) {
            throw new MessengerError(
              'policy_restricted',
              `Your practice's policy requires the relay ${options.policy.serverUrl}.`,
            );
          }
          const pin = options.policy.serverCertificateSha256
            ? new TlsPin(options.policy.serverCertificateSha256)
            : null;
          const account = await enrolProfile(state.profile, {
            serverUrl,
            code: enrolmentCode,
            pin,
            ...(options.now ? { now: options.now } : {}),
          });
          startCore(state);
          return { self: selfContact(account) };
        }),
      'conversations.list': ({ query }) => ({
        conversations: enrolled().views.conversations(query),
      }),
      'conversations.create': ({ participantIds }) =>
        guard(async () => {
          const state = enrolled();
          if (participantIds.length !== 1) {
            throw new MessengerError(
              'invalid_input',
              'Group conversations are not supported yet: choose one person.',
            );
          }
          const conversation = await state.core.openDirect(participantIds[0] as string);
          return { conversation: state.views.conversation(conversation) };
        }),
      'messages.page': ({ conversationId, before, limit }) => {
        const state = enrolled();
        if (!state.profile.repositories.conversations.get(conversationId)) {
          throw new MessengerError('not_found', 'There is no such conversation.');
        }
        const page = state.profile.repositories.messages.pageBefore(
          conversationId,
          before ? decodeCursor(before) : null,
          limit,
        );
        const oldest = page[0];
        return {
          messages: page.map((m) => state.views.message(m)),
          nextCursor: page.length === limit && oldest ? encodeCursor(oldest) : null,
        };
      },
      'messages.send': ({
        conversationId,
        text,
        urgent,
        replyToMessageId,
        sendDespitePidWarning,
      }) =>
        guard(async () => {
          const state = enrolled();
          const kinds = checkPidBeforeSend({
            policy: options.policy,
            detect: detectPid,
            text,
            sendDespitePid: sendDespitePidWarning,
            howToConfirm: 'choose Send anyway',
          });
          const message = await state.core.sendText(conversationId, text, {
            urgent,
            ...(replyToMessageId ? { replyTo: replyToMessageId } : {}),
          });
          auditSentDespitePid(state.profile.repositories.audit, {
            at: message.sentAt,
            actorAccountId: state.core.account.accountId,
            conversationId,
            messageId: message.id,
            kinds,
            origin: 'app',
            pidGuard: options.policy.pidGuard,
          });
          return { message: state.views.message(message) };
        }),
      'messages.retry': ({ conversationId, messageId }) =>
        guard(async () => {
          const state = enrolled();
          const existing = state.profile.repositories.messages.get(messageId);
          if (!existing || existing.conversationId !== conversationId) {
            throw new MessengerError('not_found', 'That message is not in this conversation.');
          }
          return { message: state.views.message(await state.core.actions.retry(messageId)) };
        }),
      'messages.markRead': ({ conversationId, upToMessageId }) =>
        guard(async () => {
          await enrolled().core.actions.markRead(conversationId, upToMessageId);
          return {};
        }),
      'directory.list': ({ query }) =>
        guard(async () => {
          const state = enrolled();
          try {
            await state.core.refreshDirectory();
          } catch (error) {
            // Offline: the last synced directory is still useful.
            log.info('directory_refresh_failed', { reason: (error as Error).message });
          }
          const self = state.core.account.accountId;
          const wanted = query?.trim().toLowerCase() ?? '';
          const entries: DirectoryContact[] = state.profile.repositories.contacts
            .list()
            .filter((c) => c.accountId !== self)
            .map((c) => state.views.contact(c.accountId))
            // A role this version does not know (a newer relay's) cannot be shown honestly.
            .filter((c): c is DirectoryContact => c.role !== 'unknown')
            .filter(
              (c) =>
                !wanted || c.displayName.toLowerCase().includes(wanted) || c.role.includes(wanted),
            );
          return { entries };
        }),
      'safetyNumber.get': ({ accountId }) =>
        guard(async () => {
          const result = await enrolled().core.safetyNumber(accountId);
          return {
            digits: result.digits,
            qrPayload: result.qrPayload,
            identityChanged: result.identityChanged,
          };
        }),
      'identity.acknowledge': ({ accountId }) =>
        guard(async () => {
          await enrolled().core.acknowledgeIdentity(accountId);
          return {};
        }),
    };
    return handlers;
  };
}

function selfContact(account: {
  accountId: string;
  displayName: string;
  role: DirectoryContact['role'];
}): DirectoryContact {
  return { accountId: account.accountId, displayName: account.displayName, role: account.role };
}

function sameRelay(a: string, b: string): boolean {
  const normal = (url: string) => new URL(url).toString().replace(/\/+$/, '');
  return normal(a) === normal(b);
}
