import { stringOption, type CliCommand } from '../cli-command.js';
import { groupIdOption, runGroupChange } from '../group-cli.js';

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
    return runGroupChange(stringOption(values, 'profile'), io, (core) =>
      core.groups.leave(groupId),
    );
  },
};
