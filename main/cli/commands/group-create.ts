import { stringOption, type CliCommand } from '../cli-command.js';
import { withCore } from '../cli-profile.js';
import { deliverChange, groupJson, memberListOption } from '../group-cli.js';

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
    const group = await withCore(stringOption(values, 'profile'), io, async (core) => {
      const created = await core.groups.create(name, members);
      await deliverChange(core);
      return created;
    });
    io.out(JSON.stringify(groupJson(group)));
    return 0;
  },
};
