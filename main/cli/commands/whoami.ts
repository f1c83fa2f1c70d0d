import { MessengerError } from '../../../shared/errors.js';
import { readRelayAccount } from '../../core/messaging/relay-account.js';
import { stringOption, type CliCommand } from '../cli-command.js';
import { unlockCliProfile } from '../cli-profile.js';

export const command: CliCommand = {
  name: 'whoami',
  summary: 'Show who this profile is enrolled as.',
  usage: '--profile <dir>',
  options: { profile: { type: 'string' } },
  required: ['profile'],
  async run(values, io) {
    const profile = await unlockCliProfile(stringOption(values, 'profile'), io);
    try {
      const account = readRelayAccount(profile.repositories.settings);
      if (!account) throw new MessengerError('not_found', 'This profile is not enrolled.');
      io.out(
        JSON.stringify({
          accountId: account.accountId,
          displayName: account.displayName,
          role: account.role,
        }),
      );
      return 0;
    } finally {
      profile.close();
    }
  },
};
