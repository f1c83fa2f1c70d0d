/**
 * The duty-role IPC methods (issue 15), each a short map onto the profile runtime's RoleService.
 * Sending applies the PID guard in main as messages.send does.
 */
import { createPidDetector } from '../../../shared/clinical/pid-detector.js';
import { MessengerError } from '../../../shared/errors.js';
import { auditSentDespitePid, checkPidBeforeSend } from '../audit/pid-send-guard.js';
import type { MessagingHandlerContext } from './messaging-handlers.js';
import type { MessagingHandlers } from './ipc-handlers.js';
import { toMessengerError } from '../messaging/messaging-core.js';

type RoleMethod =
  | 'roles.list'
  | 'roles.setDuty'
  | 'roles.plan'
  | 'roles.send'
  | 'roles.acknowledge'
  | 'roles.create'
  | 'roles.delete';

export function createRoleHandlers(
  context: MessagingHandlerContext,
): Pick<MessagingHandlers, RoleMethod> {
  const { policy, runtime } = context;
  const detectPid = createPidDetector({ hospitalNumberPatterns: policy.hospitalNumberPatterns });
  const guard = async <T>(work: () => Promise<T> | T): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw toMessengerError(error);
    }
  };
  return {
    'roles.list': () => guard(async () => ({ roles: await runtime().roles().list() })),
    'roles.setDuty': ({ roleId, onDuty }) =>
      guard(async () => ({ role: await runtime().roles().setDuty(roleId, onDuty) })),
    'roles.plan': ({ roleId }) => guard(() => runtime().roles().plan(roleId)),
    'roles.send': ({ roleId, text, urgent, requestAck, toEscalation, sendDespitePidWarning }) =>
      guard(async () => {
        const current = runtime();
        const kinds = checkPidBeforeSend({
          policy,
          detect: detectPid,
          text,
          sendDespitePid: sendDespitePidWarning,
          howToConfirm: 'choose Send anyway',
        });
        const sent = await current.roles().send(roleId, text, { urgent, requestAck, toEscalation });
        const { messages, audit } = current.profile.repositories;
        const holders = sent.holders.map((h) => {
          const message = messages.get(h.messageId);
          if (!message) throw new MessengerError('internal', 'A sent message was not stored.');
          auditSentDespitePid(audit, {
            at: message.sentAt,
            actorAccountId: current.enrolled().account.accountId,
            conversationId: message.conversationId,
            messageId: message.id,
            kinds,
            origin: 'app',
            pidGuard: policy.pidGuard,
          });
          return { ...h, conversationId: message.conversationId };
        });
        // The sender's copies show "To Duty doctor → …" from the start.
        current.announceUpdated(sent.holders.map((h) => h.messageId));
        return { ...sent, holders };
      }),
    'roles.acknowledge': ({ messageId }) =>
      guard(async () => {
        const current = runtime();
        await current.roles().acknowledge(messageId);
        const record = current.profile.repositories.messages.get(messageId);
        if (!record) throw new MessengerError('not_found', 'That message is gone.');
        current.announceUpdated([messageId]);
        return { message: current.views.message(record) };
      }),
    'roles.create': ({ name, escalateAfterMinutes, escalateToRoleId }) =>
      guard(async () => ({
        role: await runtime()
          .roles()
          .create({
            name,
            escalateAfterMs: escalateAfterMinutes === null ? null : escalateAfterMinutes * 60_000,
            escalateTo: escalateToRoleId,
          }),
      })),
    'roles.delete': ({ roleId }) =>
      guard(async () => {
        await runtime().roles().remove(roleId);
        return {};
      }),
  };
}
