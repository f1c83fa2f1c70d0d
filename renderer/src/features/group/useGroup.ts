/**
 * The open group's current state (name, members with roles, admins, whether we are still in it),
 * read again whenever main says the conversation changed (a member added or removed anywhere).
 */
import { useCallback, useEffect, useState } from 'react';
import type { GroupView } from '../../../../shared/ipc/group-schemas.js';
import type { ConversationSummary } from '../../../../shared/ipc/view-schemas.js';
import { call, errorMessage, messenger, useMessengerEvent } from '../../api.js';

export function useGroup(conversation: ConversationSummary) {
  const isGroup = conversation.kind === 'group';
  const [group, setGroup] = useState<GroupView | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  const reload = useCallback(() => {
    if (!isGroup) return;
    void call(messenger().groups.get({ conversationId: conversation.id }))
      .then(({ group: loaded }) => setGroup(loaded))
      .catch((error: unknown) => setProblem(errorMessage(error)));
  }, [conversation.id, isGroup]);

  useEffect(() => {
    setGroup(null);
    reload();
  }, [reload]);
  useMessengerEvent('conversation.updated', ({ conversation: changed }) => {
    if (changed.id === conversation.id) reload();
  });

  /** Runs a membership change; its answer is the group as it now is. */
  const change = async (work: () => Promise<{ group: GroupView }>) => {
    setProblem(null);
    try {
      setGroup((await work()).group);
      return true;
    } catch (error) {
      setProblem(errorMessage(error));
      return false;
    }
  };
  const conversationId = conversation.id;
  return {
    group,
    problem,
    add: (accountId: string) =>
      change(() => call(messenger().groups.addMember({ conversationId, accountId }))),
    remove: (accountId: string) =>
      change(() => call(messenger().groups.removeMember({ conversationId, accountId }))),
    leave: () => change(() => call(messenger().groups.leave({ conversationId }))),
    rename: (name: string) =>
      change(() => call(messenger().groups.rename({ conversationId, name }))),
  };
}
