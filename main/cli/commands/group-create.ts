import { stringOption, type CliCommand } from '../cli-command.js';
import { memberListOption, runGroupChange } from '../group-cli.js';

export const command: CliCommand = {
  name: 'group create',
  summary:
    'Create a group (up to 100 members, you included) and tell its members; prints the group as ' +
    'JSON with its "groupId". You and the practice managers among the members are its admins.',
  usage: '--profile <dir> --name <name> --members <accountId,...>',
  options: { profile: { type: 'string' }, name: { type: 'string' }, members: { type: 'string' } },
  required: ['profile', 'name', 'members'],
  async run(values, io) {
    const members = memberListOption(stringOption(values, 'members'));
    const name = stringOption(values, 'name');
    return runGroupChange(stringOption(values, 'profile'), io, (core) =>
      core.groups.create(name, members),
    );
  },
};
