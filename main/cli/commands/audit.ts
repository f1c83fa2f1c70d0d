import { PracticeAuditForwarder } from '../../core/audit/practice-audit-forwarder.js';
import { readPracticeAudit } from '../../core/audit/practice-audit-reader.js';
import { readRelayAccount } from '../../core/messaging/relay-account.js';
import { MessengerError } from '../../../shared/errors.js';
import { stringOption, type CliCommand } from '../cli-command.js';
import { withCore } from '../cli-profile.js';

export const command: CliCommand = {
  name: 'audit',
  summary:
    'Print the practice audit trail as JSON lines (managers and admins), or with --verify only ' +
    '{"intact","brokenAt","records"} (exit 1 when the chain is broken). Sends this device\'s ' +
    'own unsent audit events first.',
  usage: '--profile <dir> [--verify]',
  options: { profile: { type: 'string' }, verify: { type: 'boolean' } },
  required: ['profile'],
  async run(values, io) {
    const trail = await withCore(stringOption(values, 'profile'), io, async (core, profile) => {
      const account = readRelayAccount(profile.repositories.settings);
      if (!account) throw new MessengerError('not_found', 'This profile is not enrolled.');
      await new PracticeAuditForwarder(profile.repositories, account, core.relay).flush();
      return readPracticeAudit(core.relay, profile.repositories, account);
    });
    if (values.verify === true) {
      const { intact, brokenAt, records } = trail;
      io.out(JSON.stringify({ intact, brokenAt, records }));
    } else {
      for (const entry of trail.entries) io.out(JSON.stringify(entry));
      if (!trail.intact) {
        io.err(
          `The practice audit trail is broken: a record is missing or altered at ${trail.brokenAt}.`,
        );
      }
    }
    return trail.intact ? 0 : 1;
  },
};
