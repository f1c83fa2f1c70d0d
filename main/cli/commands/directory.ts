import { stringOption, type CliCommand } from '../cli-command.js';
import { withCore } from '../cli-profile.js';

export const command: CliCommand = {
  name: 'directory',
  summary: 'List the people of the practice directory (JSON array).',
  usage: '--profile <dir>',
  options: { profile: { type: 'string' } },
  required: ['profile'],
  async run(values, io) {
    const accounts = await withCore(stringOption(values, 'profile'), io, (core) =>
      core.refreshDirectory(),
    );
    io.out(
      JSON.stringify(
        accounts.map((a) => ({
          accountId: a.accountId,
          displayName: a.displayName,
          role: a.role,
          org: a.org,
        })),
      ),
    );
    return 0;
  },
};
