/**
 * Deleting one's own message for everyone and setting a conversation's disappearing timer from
 * the app: the checks the renderer cannot be trusted with (whose message it is, which timers the
 * practice allows), then the messaging core, which reaches the other side and the user's own
 * other PCs.
 */
import { MessengerError } from '../../../shared/errors.js';
import { disappearingChoices } from '../../../shared/ipc/conversation-action-schemas.js';
import { toMessengerError } from '../messaging/messaging-core.js';
import type { Policy } from '../policy/policy-schema.js';
import type { MessagingHandlers } from './ipc-handlers.js';
import type { ProfileRuntime } from './profile-runtime.js';

type ConversationActionHandlers = Pick<
  MessagingHandlers,
  'messages.deleteForEveryone' | 'conversations.setDisappearingTimer'
>;

const daySeconds = 86_400;

export function createConversationActionHandlers(context: {
  readonly policy: Pick<Policy, 'retentionDays'>;
  readonly runtime: () => ProfileRuntime;
}): ConversationActionHandlers {
  const { policy, runtime } = context;
  const guard = async <T>(work: () => Promise<T> | T): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw toMessengerError(error);
    }
  };
  const conversationOf = (current: ProfileRuntime, conversationId: string) => {
    const conversation = current.profile.repositories.conversations.get(conversationId);
    if (!conversation) {
      throw new MessengerError(
        'not_found',
        'That conversation is not on this PC (it may have been deleted). Open it again from the list.',
      );
    }
    return conversation;
  };
  return {
    'messages.deleteForEveryone': ({ conversationId, messageId }) =>
      guard(async () => {
        const current = runtime();
        const core = current.enrolled();
        conversationOf(current, conversationId);
        const message = current.profile.repositories.messages.get(messageId);
        if (!message || message.conversationId !== conversationId) {
          throw new MessengerError(
            'not_found',
            'That message is not in this conversation (it may already have been deleted).',
          );
        }
        if (message.kind === 'notice' || message.senderAccountId !== core.account.accountId) {
          throw new MessengerError(
            'forbidden',
            'You can delete only messages you wrote for everyone; this one was written by someone else.',
          );
        }
        await core.deleteForEveryone(conversationId, [messageId], 'sender');
        return {};
      }),
    'conversations.setDisappearingTimer': ({ conversationId, seconds }) =>
      guard(async () => {
        const current = runtime();
        const core = current.enrolled();
        const conversation = conversationOf(current, conversationId);
        if (!(disappearingChoices as readonly number[]).includes(seconds)) {
          throw new MessengerError(
            'invalid_input',
            `A disappearing timer is one of ${disappearingChoices.join(', ')} seconds (0 turns it off).`,
          );
        }
        const limit = policy.retentionDays === null ? null : policy.retentionDays * daySeconds;
        if (limit !== null && seconds > limit) {
          throw new MessengerError(
            'invalid_input',
            `Your practice keeps messages for ${policy.retentionDays} days at most, so a timer longer than that would not apply. Choose a shorter timer.`,
          );
        }
        if (conversation.kind === 'group') {
          const group = core.groups.get(conversationId);
          if (!group.isMember) {
            throw new MessengerError('forbidden', 'You are no longer a member of this group.');
          }
          if (!group.isAdmin) {
            throw new MessengerError(
              'forbidden',
              "Only the group's admins can change its disappearing-message timer.",
            );
          }
        }
        await core.setDisappearingTimer(conversationId, seconds);
        const after = current.profile.repositories.conversations.get(conversationId);
        return { disappearingSeconds: after?.disappearingSeconds ?? null };
      }),
  };
}
