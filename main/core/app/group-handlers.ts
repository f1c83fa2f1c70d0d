/**
 * The group IPC methods: thin maps onto the messaging core's groups (messaging/groups/), with the
 * group shown as the renderer may see it (names and roles from the directory).
 */
import { MessengerError } from '../../../shared/errors.js';
import type { GroupView } from '../../../shared/ipc/group-schemas.js';
import type { GroupSummary } from '../messaging/groups/group-service.js';
import { toMessengerError } from '../messaging/messaging-core.js';
import type { MessagingHandlers } from './ipc-handlers.js';
import type { MessagingViews } from './messaging-views.js';
import type { ProfileRuntime } from './profile-runtime.js';

type GroupHandlers = Pick<
  MessagingHandlers,
  | 'groups.get'
  | 'groups.addMember'
  | 'groups.removeMember'
  | 'groups.leave'
  | 'groups.rename'
  | 'messages.receipts'
>;

export function createGroupHandlers(runtime: () => ProfileRuntime): GroupHandlers {
  const guard = async <T>(work: () => Promise<T> | T): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw toMessengerError(error);
    }
  };
  const groupsOf = () => {
    const current = runtime();
    return { groups: current.enrolled().groups, views: current.views };
  };
  return {
    'groups.get': ({ conversationId }) =>
      guard(() => {
        const { groups, views } = groupsOf();
        return { group: groupView(groups.get(conversationId), views) };
      }),
    'groups.addMember': ({ conversationId, accountId }) =>
      guard(async () => {
        const { groups, views } = groupsOf();
        return { group: groupView(await groups.addMember(conversationId, accountId), views) };
      }),
    'groups.removeMember': ({ conversationId, accountId }) =>
      guard(async () => {
        const { groups, views } = groupsOf();
        return { group: groupView(await groups.removeMember(conversationId, accountId), views) };
      }),
    'groups.leave': ({ conversationId }) =>
      guard(async () => {
        const { groups, views } = groupsOf();
        return { group: groupView(await groups.leave(conversationId), views) };
      }),
    'groups.rename': ({ conversationId, name }) =>
      guard(async () => {
        const { groups, views } = groupsOf();
        return { group: groupView(await groups.rename(conversationId, name), views) };
      }),
    'messages.receipts': ({ conversationId, messageId }) =>
      guard(() => {
        const current = runtime();
        const { groups } = groupsOf();
        const message = current.profile.repositories.messages.get(messageId);
        if (
          !message ||
          message.conversationId !== conversationId ||
          !groups.isGroup(conversationId)
        ) {
          throw new MessengerError('not_found', 'That message is not one of yours in this group.');
        }
        const receipts = groups.receipts(messageId);
        return { receipts: { ...receipts, people: [...receipts.people] } };
      }),
  };
}

function groupView(group: GroupSummary, views: MessagingViews): GroupView {
  return {
    conversationId: group.groupId,
    name: group.name,
    memberCount: group.members.length,
    members: group.members.map((m) => ({ ...views.contact(m.accountId), admin: m.admin })),
    isMember: group.isMember,
    isAdmin: group.isAdmin,
  };
}
