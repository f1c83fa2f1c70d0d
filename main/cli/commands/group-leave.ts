import { stringOption, type CliCommand } from '../cli-command.js';
import { withCore } from '../cli-profile.js';
import { deliverChange, groupIdOption, groupJson } from '../group-cli.js';

export const command: CliCommand = {
  name: 'group leave',
  summary:
    'Leave a group and tell its members (the last admin to leave hands the role on); prints the ' +
    'group as JSON.',
  usage: '--profile <dir> --group <groupId>',
  options: { profile: { type: 'string' }, group: { type: 'string' } },
  required: ['profile', 'group'],
  async run(values, io) {
    const groupId = groupIdOption(values.group);
    const group = await withCore(stringOption(values, 'profile'), io, async (core) => {
      const left = await core.groups.leave(groupId);
      await deliverChange(core);
      return left;
    });
    io.out(JSON.stringify(groupJson(group)));
    return 0;
  },
};
