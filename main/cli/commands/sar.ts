import path from 'node:path';
import { auditViewerRoles } from '../../core/audit/audit-view.js';
import { exportPatientMessages } from '../../core/audit/patient-export.js';
import { PatientKeySync } from '../../core/audit/patient-key-sync.js';
import { PracticeAuditForwarder } from '../../core/audit/practice-audit-forwarder.js';
import { readPracticeAudit } from '../../core/audit/practice-audit-reader.js';
import { matchesPracticeAudit } from '../../core/audit/practice-audit-view.js';
import { createLogger } from '../../core/log/logger.js';
import { MessagingCore } from '../../core/messaging/messaging-core.js';
import { readRelayAccount } from '../../core/messaging/relay-account.js';
import { loadPolicy } from '../../core/policy/load-policy.js';
import { ownStaffIdentity } from '../../core/transcription/staff-directory.js';
import { describeError } from '../../../shared/describe-error.js';
import { auditFilterOptions } from '../audit-filter-options.js';
import { CliUsageError, stringOption, type CliCommand } from '../cli-command.js';
import { cliProfileStore, unlockCliProfile } from '../cli-profile.js';
import { readPasscode } from '../passcode-prompt.js';

/**
 * Whether the practice trail's entries about the patient are in the export, and why not when
 * they are not: a receptionist's export must never look like "0 entries about this patient".
 */
interface PracticeTrailStatus {
  included: boolean;
  reason?: string;
  intact?: boolean;
  brokenAt?: number | null;
  /** The export's own records reached the practice trail (else: at this device's next flush). */
  exportRecorded: boolean;
}

export const command: CliCommand = {
  name: 'sar',
  summary:
    "Subject access by patient: writes that patient's messages only (HTML and JSON, one pair " +
    'per conversation that mentions the NHS number or was transcribed for the patient) into ' +
    "--out and, for a manager or admin, the practice audit trail's entries about the patient " +
    '(from every PC, one JSON file beside them); records the export in the practice trail. ' +
    'Prints {"exported","files","conversations","messageCount","auditEntries","practiceTrail"}: ' +
    'practiceTrail.included is false with a reason when the trail could not be included (a ' +
    "role that may not read it, a profile not enrolled). Needs the policy's allowExport. " +
    'Nothing found is exit 1 (never "exported 0 messages"); a bad NHS number exit 2.',
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
    let core: MessagingCore | null = null;
    try {
      const account = readRelayAccount(profile.repositories.settings);
      const status: PracticeTrailStatus = { included: false, exportRecorded: false };
      if (account === null) {
        status.reason =
          'This profile is not enrolled with a relay, so the practice audit trail could not be read or the export recorded in it.';
      } else {
        core = MessagingCore.open(profile, { logger: createLogger('cli.messaging') });
        // The role as the relay's directory says now (a CLI profile may never have fetched it);
        // offline, the stored directory decides, and the relay still refuses a non-reader.
        await core.refreshDirectory().catch(() => undefined);
        const role = ownStaffIdentity(profile.repositories).role;
        if (role === null || !auditViewerRoles.includes(role)) {
          status.reason =
            `Only the practice manager or an administrator may read the practice audit trail; this profile's role is ${role ?? 'unknown'}, ` +
            "so the trail's entries about the patient are not in this export. Ask the practice manager to run the subject access export for the trail.";
        }
      }
      const relay = core?.relay;
      const viewer = relay !== undefined && status.reason === undefined;
      if (viewer) {
        // As the app: this PC's key versions and its own unsent events first, so every PC's
        // entries about the patient are found, this PC's included.
        await new PatientKeySync(profile.repositories, account!, relay).sync();
        await new PracticeAuditForwarder(profile.repositories, account!, relay).flush();
      }
      const result = await exportPatientMessages(profile, policy, {
        nhsNumber: patientNhs!,
        // The same passcode again: the export's re-entry, counted like any other.
        passcode: await readPasscode(io.env),
        reference: reference === '' ? null : reference,
        ...(viewer
          ? {
              practiceAudit: async (patientRefHashes: readonly string[]) => {
                const trail = await readPracticeAudit(relay, profile.repositories, account!);
                status.included = true;
                status.intact = trail.intact;
                status.brokenAt = trail.brokenAt;
                return trail.entries.filter((e) =>
                  matchesPracticeAudit(e, { patientRefHashes: [...patientRefHashes] }),
                );
              },
            }
          : {}),
        chooseFolder: () => Promise.resolve(path.resolve(stringOption(values, 'out'))),
      });
      if (relay !== undefined && result.exported) {
        // The export's own records go to the practice trail now; kept for the next flush if not.
        try {
          await new PracticeAuditForwarder(profile.repositories, account!, relay).flush();
          status.exportRecorded = true;
        } catch (error) {
          createLogger('cli.sar').warn('export_record_not_sent', { error: describeError(error) });
          io.err(
            'The export is written, but its record has not reached the practice audit trail yet: it is kept on this PC and sent at its next connection to the relay.',
          );
        }
      }
      if (!status.included && status.reason)
        io.err(`Practice audit trail not included: ${status.reason}`);
      if (status.intact === false) {
        io.err(
          `The practice audit trail is broken: a record is missing or altered at ${status.brokenAt}. The entries exported are those the relay returned; report this to your practice manager.`,
        );
      }
      io.out(JSON.stringify({ ...result, practiceTrail: status }));
      return 0;
    } finally {
      core?.stop();
      profile.close();
    }
  },
};
