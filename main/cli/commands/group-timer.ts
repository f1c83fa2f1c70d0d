import { CliUsageError, stringOption, type CliCommand } from '../cli-command.js';
import { groupIdOption, runGroupChange } from '../group-cli.js';

export const command: CliCommand = {
  name: 'group timer',
  summary:
    "Set a group's disappearing-message timer in seconds, 0 to turn it off (admins only; one " +
    'timer for every member, who each see a notice). Prints the group as JSON.',
  usage: '--profile <dir> --group <groupId> --seconds <n>',
  options: { profile: { type: 'string' }, group: { type: 'string' }, seconds: { type: 'string' } },
  required: ['profile', 'group', 'seconds'],
  async run(values, io) {
    const groupId = groupIdOption(values.group);
    const raw = stringOption(values, 'seconds');
    if (!/^[0-9]{1,9}$/.test(raw)) {
      throw new CliUsageError('--seconds must be a whole number of seconds (0 turns it off).');
    }
    const seconds = Number(raw);
    return runGroupChange(stringOption(values, 'profile'), io, (core) =>
      core.groups.setDisappearingTimer(groupId, seconds),
    );
  },
};
