import { groupMemberCommand } from '../group-member-command.js';

export const command = groupMemberCommand({
  name: 'group add',
  summary:
    'Add a member to a group (admins only); they get the group and its later messages, not earlier ones. ' +
    'Prints the group as JSON.',
  change: (core, groupId, member) => core.groups.addMember(groupId, member),
});
