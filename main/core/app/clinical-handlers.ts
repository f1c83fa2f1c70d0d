/**
 * The clinical IPC methods: transcription into the patient record, untranscribed advice, the
 * audit log view and the Subject Access Request export. Each is a short map onto the unlocked
 * profile's runtime (profile-runtime.ts), which owns retention and the pending deletions.
 */
import { MessengerError } from '../../../shared/errors.js';
import type { TranscriptionForm } from '../../../shared/ipc/clinical-schemas.js';
import type { Policy } from '../policy/policy-schema.js';
import { assertAuditViewer, listAuditView } from '../audit/audit-view.js';
import { matchesPracticeAudit, practiceAuditView } from '../audit/practice-audit-view.js';
import { exportConversation } from '../audit/authorised-export.js';
import { exportPatientMessages } from '../audit/patient-export.js';
import type { TimerClock } from '../time/timer-clock.js';
import { lookUpPatientRefHashes } from '../transcription/patient-ref-hash.js';
import { ownStaffIdentity } from '../transcription/staff-directory.js';
import { normaliseNhsNumber } from '../../../shared/clinical/nhs-number.js';
import type { TranscriptionService } from '../transcription/transcription-service.js';
import type { ClinicalHandlers } from './ipc-handlers.js';
import type { ProfileRuntime } from './profile-runtime.js';

/** Native file dialogs (main/electron/pick-path.ts); null where there is no desktop (tests, CLI). */
export interface PathPicker {
  /** `filter` defaults to FHIR JSON (the record entry). */
  saveFile(options: {
    title: string;
    defaultName: string;
    filter?: FileFilter;
  }): Promise<string | null>;
  chooseFolder(options: { title: string }): Promise<string | null>;
  /** One existing file (attachments.choose). */
  openFile(options: { title: string; filter: FileFilter }): Promise<string | null>;
}

export interface FileFilter {
  readonly name: string;
  readonly extensions: readonly string[];
}

export interface ClinicalHandlerContext {
  readonly policy: Policy;
  /** The unlocked profile's runtime; throws `profile_locked` while locked. */
  readonly runtime: () => ProfileRuntime;
  readonly pickPath: PathPicker | null;
  readonly clock: TimerClock;
}

export function createClinicalHandlers(context: ClinicalHandlerContext): ClinicalHandlers {
  const { policy, runtime, clock } = context;
  const transcription = (): TranscriptionService => runtime().transcription();
  const assertComplete = (service: TranscriptionService, form: TranscriptionForm) => {
    const { errors } = service.render(form, 'text');
    if (errors.length > 0) {
      throw new MessengerError(
        'invalid_input',
        `The record entry is incomplete or invalid: ${errors.join('; ')}`,
      );
    }
  };
  const picker = (): PathPicker => {
    if (!context.pickPath) {
      throw new MessengerError(
        'not_implemented',
        'Saving files needs the desktop app; it is not available here.',
      );
    }
    return context.pickPath;
  };

  return {
    'transcription.draft': (selection) => transcription().draft(selection),
    'transcription.render': ({ form, format }) => transcription().render(form, format),
    'transcription.copy': ({ form }) => transcription().copy(form),
    'transcription.saveFhir': async ({ form, withFiles }) => {
      const service = transcription();
      assertComplete(service, form);
      const file = await picker().saveFile({
        title: 'Save the record entry (FHIR Communication)',
        defaultName: `record-entry-${new Date(clock.now()).toISOString().slice(0, 10)}.json`,
      });
      if (file === null) return { saved: false, fileName: null, files: [] };
      return { saved: true, ...service.saveFhir(form, file, { withFiles: withFiles === true }) };
    },
    // The renderer hears of the deletion from the deleter (the messaging core's
    // message.deleted, forwarded as messages.deleted), once, as for every other deletion.
    'transcription.confirm': ({ form, enteredAnotherWay }) =>
      transcription().confirm(form, { enteredAnotherWay }),
    'transcription.scope': (selection) => transcription().scope(selection),
    'transcription.undo': ({ auditId }) => {
      const { profile, pending } = runtime();
      pending.undo(auditId, ownStaffIdentity(profile.repositories).accountId);
      return { undone: true as const };
    },
    'advice.untranscribed': () => ({
      warningDays: policy.retentionWarningDays,
      items: runtime().advice.expiringWithin(clock.now(), policy.retentionWarningDays),
    }),
    'advice.markNoRecordNeeded': ({ messageIds }) => {
      const { profile, advice } = runtime();
      const actor = ownStaffIdentity(profile.repositories).accountId;
      return { marked: advice.markNoRecordNeeded(messageIds, actor, clock.now()) };
    },
    'audit.list': ({ limit, beforeId }) =>
      listAuditView(runtime().profile.repositories, {
        limit,
        ...(beforeId === undefined ? {} : { beforeId }),
      }),
    'audit.practice': async ({
      kind,
      accountId,
      sinceAt,
      untilAt,
      patientNhsNumber,
      limit,
      beforeSeq,
      fresh,
    }) => {
      const unlocked = runtime();
      // Refused here with the same words as the device log, before asking the relay.
      assertAuditViewer(unlocked.profile.repositories);
      // The manager's own latest actions are in the trail they are about to read, and a
      // patient lookup uses the newest key versions.
      if (patientNhsNumber !== undefined) await unlocked.syncPatientKeys(true);
      // An older page is served from what was verified; a refresh reads only what is new; the
      // view opened afresh reads and checks the whole chain again.
      const mode = beforeSeq !== undefined ? 'cached' : fresh === true ? 'full' : 'newer';
      if (mode !== 'cached') await unlocked.flushAudit();
      const trail = await unlocked.practiceAudit(mode);
      return practiceAuditView(trail, unlocked.profile.repositories, {
        limit,
        ...(kind === undefined ? {} : { kind }),
        ...(accountId === undefined ? {} : { accountId }),
        ...(sinceAt === undefined ? {} : { sinceAt }),
        ...(untilAt === undefined ? {} : { untilAt }),
        // Hashed under every practice key version this device holds (and its own per-device
        // key), so entries from any key-holding PC match, before and after a rotation; with no
        // key, none can.
        ...(patientNhsNumber === undefined
          ? {}
          : {
              patientRefHashes: lookUpPatientRefHashes(
                unlocked.profile.repositories.settings,
                normaliseNhsNumber(patientNhsNumber) ?? '',
              ),
            }),
        ...(beforeSeq === undefined ? {} : { beforeSeq }),
      });
    },
    'audit.rotatePatientKey': async () => {
      const unlocked = runtime();
      assertAuditViewer(unlocked.profile.repositories);
      return unlocked.rotatePatientKey();
    },
    'export.conversation': ({ conversationId, passcode, reference }) => {
      const pick = picker();
      return exportConversation(
        runtime().profile,
        policy,
        {
          conversationId,
          passcode,
          reference: reference ?? null,
          chooseFolder: () =>
            pick.chooseFolder({ title: 'Choose a folder for the conversation export' }),
        },
        () => clock.now(),
      );
    },
    'export.patient': async ({ nhsNumber, passcode, reference }) => {
      const unlocked = runtime();
      // The practice trail is for managers and admins; so is this screen.
      assertAuditViewer(unlocked.profile.repositories);
      await unlocked.syncPatientKeys(true);
      const pick = picker();
      const result = await exportPatientMessages(
        unlocked.profile,
        policy,
        {
          nhsNumber,
          passcode,
          reference: reference ?? null,
          practiceAudit: async (patientRefHashes) => {
            await unlocked.flushAudit();
            const trail = await unlocked.practiceAudit();
            return trail.entries.filter((e) => matchesPracticeAudit(e, { patientRefHashes }));
          },
          chooseFolder: () =>
            pick.chooseFolder({ title: "Choose a folder for the patient's export" }),
        },
        () => clock.now(),
      );
      // The export's own records reach the practice trail now, not in a few seconds.
      if (result.exported) await unlocked.flushAudit();
      return result;
    },
  };
}
