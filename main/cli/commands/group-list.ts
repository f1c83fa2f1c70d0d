import { stringOption, type CliCommand } from '../cli-command.js';
import { withCore } from '../cli-profile.js';
import { groupJson } from '../group-cli.js';

export const command: CliCommand = {
  name: 'group list',
  summary:
    'List the groups this profile knows, as JSON {"groups": [...]}, with members and admins ' +
    '(run `receive` first to learn of new groups and changes).',
  usage: '--profile <dir>',
  options: { profile: { type: 'string' } },
  required: ['profile'],
  async run(values, io) {
    const groups = await withCore(stringOption(values, 'profile'), io, async (core) =>
      core.groups.list(),
    );
    io.out(JSON.stringify({ groups: groups.map(groupJson) }));
    return 0;
  },
};
