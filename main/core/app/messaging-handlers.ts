/**
 * The messaging IPC methods, each a short map onto the unlocked profile's runtime
 * (profile-runtime.ts): its messaging core, views and repositories.
 */
import { createPidDetector } from '../../../shared/clinical/pid-detector.js';
import { MessengerError } from '../../../shared/errors.js';
import type { DirectoryContact } from '../../../shared/ipc/view-schemas.js';
import { auditSentDespitePid, checkPidBeforeSend } from '../audit/pid-send-guard.js';
import type { Logger } from '../log/logger.js';
import { toMessengerError } from '../messaging/messaging-core.js';
import { relayUrlsOf } from '../messaging/relay-account.js';
import type { Policy } from '../policy/policy-schema.js';
import { isLinkCodeShape } from '../messaging/link-code.js';
import type { MessagingHandlers } from './ipc-handlers.js';
import { createConversationActionHandlers } from './conversation-action-handlers.js';
import { createGroupHandlers } from './group-handlers.js';
import { decodeCursor, encodeCursor } from './messaging-views.js';
import type { ProfileRuntime } from './profile-runtime.js';
import { createRoleHandlers } from './role-handlers.js';

export interface MessagingHandlerContext {
  readonly policy: Policy;
  /** The unlocked profile's runtime; throws `profile_locked` while locked. */
  readonly runtime: () => ProfileRuntime;
  readonly logger: Logger;
}

export function createMessagingHandlers(context: MessagingHandlerContext): MessagingHandlers {
  const { policy, runtime, logger } = context;
  const detectPid = createPidDetector({ hospitalNumberPatterns: policy.hospitalNumberPatterns });
  const guard = async <T>(work: () => Promise<T> | T): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw toMessengerError(error);
    }
  };

  return {
    ...createGroupHandlers(runtime),
    ...createConversationActionHandlers(context),
    ...createRoleHandlers(context),
    'account.get': () => {
      const current = runtime();
      const account = current.account();
      return {
        enrolled: account !== null,
        self: account ? selfContact(account) : null,
        serverUrl: account ? relayUrlsOf(account).join(', ') : policy.serverUrl,
        // So the renderer shows "Connected" from its first render, not after the next change.
        connection: current.messaging()?.connectionState ?? null,
      };
    },
    'account.enrol': ({ serverUrl, enrolmentCode }) =>
      guard(async () => ({
        self: selfContact(await runtime().enrol(serverUrl, { code: enrolmentCode })),
      })),
    'account.enrolWithLink': ({ serverUrl, linkCode }) =>
      guard(async () => {
        if (!isLinkCodeShape(linkCode)) {
          throw new MessengerError(
            'invalid_input',
            'A link code is the 16 letters and digits your other PC shows (XXXX-XXXX-XXXX-XXXX).',
          );
        }
        return { self: selfContact(await runtime().enrol(serverUrl, { linkCode })) };
      }),
    'conversations.list': ({ query }) => {
      const current = runtime();
      current.enrolled();
      const conversations = current.views.conversations(query);
      current.listServed();
      return { conversations };
    },
    'conversations.create': ({ participantIds, title }) =>
      guard(async () => {
        const current = runtime();
        const core = current.enrolled();
        if (participantIds.length > 1 || title !== undefined) {
          // A group: its name is the title, or its members' names when none was given.
          const name =
            title ??
            participantIds
              .map((id) => current.views.contact(id).displayName)
              .join(', ')
              .slice(0, 80);
          const group = await core.groups.create(name, participantIds);
          const record = current.profile.repositories.conversations.get(group.groupId);
          if (!record) throw new MessengerError('internal', 'The new group was not stored.');
          return { conversation: current.views.conversation(record) };
        }
        const conversation = await core.openDirect(participantIds[0] as string);
        return { conversation: current.views.conversation(conversation) };
      }),
    'messages.page': ({ conversationId, before, limit }) => {
      const current = runtime();
      current.enrolled();
      const { repositories } = current.profile;
      if (!repositories.conversations.get(conversationId)) {
        throw new MessengerError('not_found', 'There is no such conversation.');
      }
      const page = repositories.messages.pageBefore(
        conversationId,
        before ? decodeCursor(before) : null,
        limit,
      );
      const oldest = page[0];
      return {
        messages: current.views.messages(page),
        nextCursor: page.length === limit && oldest ? encodeCursor(oldest) : null,
      };
    },
    'messages.send': ({ conversationId, text, urgent, replyToMessageId, sendDespitePidWarning }) =>
      guard(async () => {
        const current = runtime();
        const core = current.enrolled();
        const kinds = checkPidBeforeSend({
          policy,
          detect: detectPid,
          text,
          sendDespitePid: sendDespitePidWarning,
          howToConfirm: 'choose Send anyway',
        });
        const message = await core.sendText(conversationId, text, {
          urgent,
          ...(replyToMessageId ? { replyTo: replyToMessageId } : {}),
        });
        auditSentDespitePid(current.profile.repositories.audit, {
          at: message.sentAt,
          actorAccountId: core.account.accountId,
          conversationId,
          messageId: message.id,
          kinds,
          origin: 'app',
          pidGuard: policy.pidGuard,
        });
        return { message: current.views.message(message) };
      }),
    'messages.retry': ({ conversationId, messageId }) =>
      guard(async () => {
        const current = runtime();
        const core = current.enrolled();
        const existing = current.profile.repositories.messages.get(messageId);
        if (!existing || existing.conversationId !== conversationId) {
          throw new MessengerError('not_found', 'That message is not in this conversation.');
        }
        // A file that did not upload goes again from its chunks, not as a text message.
        if (current.profile.repositories.attachments.get(messageId)?.state === 'failed') {
          await core.attachments.retry(messageId);
          const retried = current.profile.repositories.messages.get(messageId) ?? existing;
          return { message: current.views.message(retried) };
        }
        const retried = core.groups.isGroup(conversationId)
          ? await core.groups.retry(messageId)
          : await core.actions.retry(messageId);
        return { message: current.views.message(retried) };
      }),
    'messages.markRead': ({ conversationId, upToMessageId }) =>
      guard(async () => {
        await runtime().enrolled().actions.markRead(conversationId, upToMessageId);
        return {};
      }),
    'directory.list': ({ query }) =>
      guard(async () => {
        const current = runtime();
        const core = current.enrolled();
        try {
          await core.refreshDirectory();
        } catch (error) {
          // Offline: the last synced directory is still useful.
          logger.info('directory_refresh_failed', {
            error: error instanceof Error ? error.name : typeof error,
          });
        }
        const self = core.account.accountId;
        const wanted = query?.trim().toLowerCase() ?? '';
        const entries: DirectoryContact[] = current.profile.repositories.contacts
          .list()
          .filter((c) => c.accountId !== self)
          .map((c) => current.views.contact(c.accountId))
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
        const result = await runtime().enrolled().safetyNumber(accountId);
        return {
          digits: result.digits,
          qrPayload: result.qrPayload,
          identityChanged: result.identityChanged,
        };
      }),
    'identity.acknowledge': ({ accountId }) =>
      guard(async () => {
        await runtime().enrolled().acknowledgeIdentity(accountId);
        return {};
      }),
    'devices.list': () => guard(async () => ({ devices: await runtime().enrolled().ownDevices() })),
    'devices.remove': ({ deviceId }) =>
      guard(async () => {
        await runtime().enrolled().removeOwnDevice(deviceId);
        return {};
      }),
    'devices.link': () =>
      guard(() =>
        runtime().enrolled().createDeviceLink({
          approvalRequired: !policy.linkWithoutApproval,
          maxDevices: policy.maxDevicesPerPerson,
        }),
      ),
    'devices.linkStatus': () =>
      guard(async () => ({ link: await runtime().enrolled().deviceLinkStatus() })),
    'devices.decideLink': ({ approve }) =>
      guard(async () => ({ link: await runtime().enrolled().decideDeviceLink(approve) })),
  };
}

function selfContact(account: {
  accountId: string;
  displayName: string;
  role: DirectoryContact['role'];
}): DirectoryContact {
  return { accountId: account.accountId, displayName: account.displayName, role: account.role };
}
