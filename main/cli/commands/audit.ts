import { PracticeAuditForwarder } from '../../core/audit/practice-audit-forwarder.js';
import { readPracticeAudit } from '../../core/audit/practice-audit-reader.js';
import { matchesPracticeAudit } from '../../core/audit/practice-audit-view.js';
import { readRelayAccount } from '../../core/messaging/relay-account.js';
import { PatientKeySync } from '../../core/audit/patient-key-sync.js';
import { lookUpPatientRefHashes } from '../../core/transcription/patient-ref-hash.js';
import { MessengerError } from '../../../shared/errors.js';
import { auditFilterOptions } from '../audit-filter-options.js';
import { CliUsageError, stringOption, type CliCommand } from '../cli-command.js';
import { withCore } from '../cli-profile.js';

export const command: CliCommand = {
  name: 'audit',
  summary:
    'Print the practice audit trail as JSON lines (managers and admins), or with --verify only ' +
    '{"intact","brokenAt","records"} (exit 1 when the chain is broken). Sends this device\'s ' +
    'own unsent audit events first. --since <iso> keeps entries from that time; --patient <nhs> ' +
    'keeps entries about that patient, from any PC holding the practice patient-reference key, ' +
    'under every key version (entries a reception PC keyed per device match only there). ' +
    'Exit 2 on a bad NHS number or date.',
  usage: '--profile <dir> [--verify | [--patient <nhs>] [--since <iso>]]',
  options: {
    profile: { type: 'string' },
    verify: { type: 'boolean' },
    patient: { type: 'string' },
    since: { type: 'string' },
  },
  required: ['profile'],
  async run(values, io) {
    const filters = auditFilterOptions(values);
    if (
      values.verify === true &&
      (filters.patientNhs !== undefined || filters.sinceAt !== undefined)
    ) {
      throw new CliUsageError('--verify checks the whole chain: leave out --patient and --since.');
    }
    let patientRefHashes: string[] = [];
    const trail = await withCore(stringOption(values, 'profile'), io, async (core, profile) => {
      const account = readRelayAccount(profile.repositories.settings);
      if (!account) throw new MessengerError('not_found', 'This profile is not enrolled.');
      if (filters.patientNhs !== undefined) {
        await new PatientKeySync(profile.repositories, account, core.relay).sync();
      }
      await new PracticeAuditForwarder(profile.repositories, account, core.relay).flush();
      if (filters.patientNhs !== undefined) {
        patientRefHashes = lookUpPatientRefHashes(
          profile.repositories.settings,
          filters.patientNhs,
        );
      }
      return readPracticeAudit(core.relay, profile.repositories, account);
    });
    if (values.verify === true) {
      const { intact, brokenAt, records } = trail;
      io.out(JSON.stringify({ intact, brokenAt, records }));
    } else {
      if (filters.patientNhs !== undefined && patientRefHashes.length === 0) {
        io.err(
          'This device holds no patient-reference key yet, so no entry can match --patient: try again once it is connected to the relay.',
        );
      }
      const match = {
        ...(filters.sinceAt === undefined ? {} : { sinceAt: filters.sinceAt }),
        // No key here: no hash, so nothing matches.
        ...(filters.patientNhs === undefined ? {} : { patientRefHashes }),
      };
      for (const entry of trail.entries) {
        if (matchesPracticeAudit(entry, match)) io.out(JSON.stringify(entry));
      }
      if (!trail.intact) {
        io.err(
          `The practice audit trail is broken: a record is missing or altered at ${trail.brokenAt}.`,
        );
      }
    }
    return trail.intact ? 0 : 1;
  },
};
