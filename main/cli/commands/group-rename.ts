import { stringOption, type CliCommand } from '../cli-command.js';
import { groupIdOption, runGroupChange } from '../group-cli.js';

export const command: CliCommand = {
  name: 'group rename',
  summary: 'Rename a group (admins only); every member sees a notice. Prints the group as JSON.',
  usage: '--profile <dir> --group <groupId> --name <name>',
  options: { profile: { type: 'string' }, group: { type: 'string' }, name: { type: 'string' } },
  required: ['profile', 'group', 'name'],
  async run(values, io) {
    const groupId = groupIdOption(values.group);
    const name = stringOption(values, 'name');
    return runGroupChange(stringOption(values, 'profile'), io, (core) =>
      core.groups.rename(groupId, name),
    );
  },
};
