import { MessengerError } from '../../../shared/errors.js';
import { PatientKeySync } from '../../core/audit/patient-key-sync.js';
import { PracticeAuditForwarder } from '../../core/audit/practice-audit-forwarder.js';
import { readRelayAccount } from '../../core/messaging/relay-account.js';
import { stringOption, type CliCommand } from '../cli-command.js';
import { withCore } from '../cli-profile.js';

export const command: CliCommand = {
  name: 'audit-key rotate',
  summary:
    "Make a new version of the practice's patient-reference key (the key audit entries name " +
    'patients with), sealed to every clinical, manager and admin device, never to reception; ' +
    'earlier versions are kept, so earlier entries are still found. Managers and admins only. ' +
    'Prints {"version": N}; the rotation is recorded in the practice audit trail.',
  usage: '--profile <dir>',
  options: { profile: { type: 'string' } },
  required: ['profile'],
  async run(values, io) {
    const rotated = await withCore(stringOption(values, 'profile'), io, async (core, profile) => {
      const account = readRelayAccount(profile.repositories.settings);
      if (!account) throw new MessengerError('not_found', 'This profile is not enrolled.');
      const result = await new PatientKeySync(profile.repositories, account, core.relay).rotate();
      // The rotation's own record goes to the practice trail now, not at the next unlock.
      await new PracticeAuditForwarder(profile.repositories, account, core.relay).flush();
      return result;
    });
    io.out(JSON.stringify(rotated));
    return 0;
  },
};
