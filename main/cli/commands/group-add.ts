import { accountIdOption, stringOption, type CliCommand } from '../cli-command.js';
import { withCore } from '../cli-profile.js';
import { deliverChange, groupIdOption, groupJson } from '../group-cli.js';

export const command: CliCommand = {
  name: 'group add',
  summary:
    'Add a member to a group (admins only); they get the group and its later messages, not earlier ones. ' +
    'Prints the group as JSON.',
  usage: '--profile <dir> --group <groupId> --member <accountId>',
  options: { profile: { type: 'string' }, group: { type: 'string' }, member: { type: 'string' } },
  required: ['profile', 'group', 'member'],
  async run(values, io) {
    const groupId = groupIdOption(values.group);
    const member = accountIdOption(stringOption(values, 'member'), 'member');
    const group = await withCore(stringOption(values, 'profile'), io, async (core) => {
      const changed = await core.groups.addMember(groupId, member);
      await deliverChange(core);
      return changed;
    });
    io.out(JSON.stringify(groupJson(group)));
    return 0;
  },
};
