import { accountIdOption, stringOption, type CliCommand } from '../cli-command.js';
import { withCore } from '../cli-profile.js';

export const command: CliCommand = {
  name: 'safety-number',
  summary: 'Print the 60-digit safety number with a person (compare it with theirs).',
  usage: '--profile <dir> --with <accountId>',
  options: { profile: { type: 'string' }, with: { type: 'string' } },
  required: ['profile', 'with'],
  async run(values, io) {
    const peer = accountIdOption(stringOption(values, 'with'), 'with');
    const result = await withCore(stringOption(values, 'profile'), io, (core) =>
      core.safetyNumber(peer),
    );
    io.out(result.digits);
    return 0;
  },
};
