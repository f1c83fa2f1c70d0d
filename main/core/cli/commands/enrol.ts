import { enrolProfile } from '../../messaging/enrolment.js';
import { stringOption, type CliCommand } from '../cli-command.js';
import { createCliProfile } from '../cli-profile.js';

export const command: CliCommand = {
  name: 'enrol',
  summary:
    'Create the encrypted profile in <dir> and enrol it with the relay using a one-time code.',
  usage: '--profile <dir> --server <url> --code <code> [--device-name <name>]',
  options: {
    profile: { type: 'string' },
    server: { type: 'string' },
    code: { type: 'string' },
    'device-name': { type: 'string' },
  },
  required: ['profile', 'server', 'code'],
  async run(values, io) {
    const dir = stringOption(values, 'profile');
    const { store, profile } = await createCliProfile(dir, io, 'Headless client');
    try {
      const deviceName = values['device-name'];
      const account = await enrolProfile(profile, {
        serverUrl: stringOption(values, 'server'),
        code: stringOption(values, 'code'),
        ...(typeof deviceName === 'string' ? { deviceName } : {}),
      });
      io.out(
        JSON.stringify({
          accountId: account.accountId,
          deviceId: account.deviceId,
          displayName: account.displayName,
          role: account.role,
          org: account.org,
        }),
      );
      profile.close();
      return 0;
    } catch (error) {
      // A failed enrolment leaves no half-made profile behind: the folder can be reused.
      profile.close();
      await store.delete(profile.id).catch(() => undefined);
      throw error;
    }
  },
};
