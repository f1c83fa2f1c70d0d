import { stringOption, type CliCommand } from '../cli-command.js';
import { withCore } from '../cli-profile.js';
import { deliverChange, groupIdOption, groupJson } from '../group-cli.js';

export const command: CliCommand = {
  name: 'group rename',
  summary: 'Rename a group (admins only); every member sees a notice. Prints the group as JSON.',
  usage: '--profile <dir> --group <groupId> --name <name>',
  options: { profile: { type: 'string' }, group: { type: 'string' }, name: { type: 'string' } },
  required: ['profile', 'group', 'name'],
  async run(values, io) {
    const groupId = groupIdOption(values.group);
    const name = stringOption(values, 'name');
    const group = await withCore(stringOption(values, 'profile'), io, async (core) => {
      const renamed = await core.groups.rename(groupId, name);
      await deliverChange(core);
      return renamed;
    });
    io.out(JSON.stringify(groupJson(group)));
    return 0;
  },
};
