import { groupMemberCommand } from '../group-member-command.js';

export const command = groupMemberCommand({
  name: 'group remove',
  summary:
    'Remove a member from a group (admins only); their devices get nothing sent after, and every member makes a new sender key. ' +
    'Prints the group as JSON.',
  change: (core, groupId, member) => core.groups.removeMember(groupId, member),
});
