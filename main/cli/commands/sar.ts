import path from 'node:path';
import { exportPatientMessages } from '../../core/audit/patient-export.js';
import { loadPolicy } from '../../core/policy/load-policy.js';
import { auditFilterOptions } from '../audit-filter-options.js';
import { CliUsageError, stringOption, type CliCommand } from '../cli-command.js';
import { cliProfileStore, unlockCliProfile } from '../cli-profile.js';
import { readPasscode } from '../passcode-prompt.js';

export const command: CliCommand = {
  name: 'sar',
  summary:
    "Subject access by patient: writes that patient's messages only (HTML and JSON, one pair " +
    'per conversation that mentions the NHS number or was transcribed for the patient) into ' +
    '--out, and prints {"exported","files","conversations","messageCount"}. Needs the policy\'s ' +
    'allowExport. Nothing found is exit 1 (never "exported 0 messages"); a bad NHS number exit 2.',
  usage: '--profile <dir> --patient <nhs> --out <folder> [--reference <text>] [--policy <file>]',
  options: {
    profile: { type: 'string' },
    patient: { type: 'string' },
    out: { type: 'string' },
    reference: { type: 'string' },
    policy: { type: 'string' },
  },
  required: ['profile', 'patient', 'out'],
  async run(values, io) {
    const { patientNhs } = auditFilterOptions({ patient: values.patient });
    const reference = typeof values.reference === 'string' ? values.reference.trim() : '';
    if (reference.length > 100) throw new CliUsageError('--reference is at most 100 characters.');
    const { policy } = loadPolicy({
      argv: typeof values.policy === 'string' ? ['--policy', values.policy] : [],
      platform: process.platform,
    });
    const dir = stringOption(values, 'profile');
    const profile = await unlockCliProfile(dir, io, cliProfileStore(dir));
    try {
      const result = await exportPatientMessages(profile, policy, {
        nhsNumber: patientNhs!,
        // The same passcode again: the export's re-entry, counted like any other.
        passcode: await readPasscode(io.env),
        reference: reference === '' ? null : reference,
        chooseFolder: () => Promise.resolve(path.resolve(stringOption(values, 'out'))),
      });
      io.out(JSON.stringify(result));
      return 0;
    } finally {
      profile.close();
    }
  },
};
