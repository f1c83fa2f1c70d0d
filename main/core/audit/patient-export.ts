/**
 * Subject access by patient: every conversation on this device that mentions one NHS number,
 * exported with that patient's messages only. A message is the patient's when its text holds the
 * number (however it is spaced) or a transcription about the patient (the keyed hash) named it.
 * Other messages of those conversations are left out, so another patient is not disclosed.
 * Nothing found is a failure, never "Exported 0 messages": the number may be mistyped, or the
 * messages may be on another device.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { normaliseNhsNumber } from '../../../shared/clinical/nhs-number.js';
import { MessengerError } from '../../../shared/errors.js';
import { writeFileAtomic } from '../profile/atomic-file.js';
import { ownStaffIdentity } from '../transcription/staff-directory.js';
import { lookUpPatientRefHashes, patientRefHash } from '../transcription/patient-ref-hash.js';
import { assertExportFolder, exportAuditAction, type ExportProfile } from './authorised-export.js';
import { buildConversationExport, type ConversationExport } from './export-document.js';
import { renderExportHtml } from './export-html.js';
import type { PracticeAuditEntry } from './practice-audit-reader.js';

export interface PatientExportRequest {
  readonly nhsNumber: string;
  /**
   * The practice trail's entries about this patient (a manager's export in the app), written
   * alongside as one JSON file; undefined where the caller cannot read the practice trail.
   */
  readonly practiceAudit?: (hashes: readonly string[]) => Promise<readonly PracticeAuditEntry[]>;
  readonly passcode: string;
  readonly reference: string | null;
  readonly chooseFolder: () => Promise<string | null>;
}

export interface PatientExportResult {
  readonly exported: boolean;
  readonly files: string[];
  readonly conversations: number;
  readonly messageCount: number;
  /** Practice audit entries about the patient written to the export (0 without practiceAudit). */
  readonly auditEntries: number;
}

/** Runs of digits with spaces or hyphens between them: the spellings staff type a number in. */
const digitRuns = /\d[\d \t-]*\d/g;

export function mentionsNhsNumber(text: string, digits: string): boolean {
  for (const run of text.match(digitRuns) ?? []) {
    if (run.replace(/\D/g, '').includes(digits)) return true;
  }
  return false;
}

export async function exportPatientMessages(
  profile: ExportProfile,
  policy: { allowExport: boolean },
  request: PatientExportRequest,
  now: () => number = Date.now,
): Promise<PatientExportResult> {
  if (!policy.allowExport) {
    throw new MessengerError(
      'policy_restricted',
      "Your practice's policy does not allow exports from this computer. Ask your practice " +
        'manager or IT support to enable allowExport for Subject Access Requests.',
    );
  }
  const digits = normaliseNhsNumber(request.nhsNumber);
  if (digits === null) {
    throw new MessengerError(
      'invalid_input',
      'That is not a valid NHS number (ten digits, the last a check digit). Check it was keyed correctly.',
    );
  }
  await profile.verifyPasscode(request.passcode);
  const { repositories } = profile;
  const own = ownStaffIdentity(repositories);
  const hashes = lookUpPatientRefHashes(repositories.settings, digits);
  const at = now();

  const found: ConversationExport[] = [];
  for (const conversation of repositories.conversations.list()) {
    const whole = buildConversationExport(repositories, conversation, {
      own,
      now: at,
      reference: request.reference,
    });
    const auditEvents = whole.auditEvents.filter(
      (e) => e.patientRefHash !== null && hashes.includes(e.patientRefHash),
    );
    const transcribed = new Set(auditEvents.flatMap((e) => e.messageIds));
    const messages = whole.messages.filter(
      (m) => transcribed.has(m.id) || mentionsNhsNumber(m.text, digits),
    );
    if (messages.length > 0) found.push({ ...whole, messages, auditEvents });
  }
  const messageCount = found.reduce((n, c) => n + c.messages.length, 0);
  if (messageCount === 0) {
    throw new MessengerError(
      'not_found',
      'No message on this device mentions that NHS number, and none was transcribed for that patient here: nothing was exported. Check the number, and search the other PCs the patient may have been discussed on.',
    );
  }

  // The export's own record names the patient by the keyed hash (made now if none was yet).
  const patientRef = patientRefHash(repositories.settings, digits, at);
  const practiceEntries = request.practiceAudit
    ? await request.practiceAudit(lookUpPatientRefHashes(repositories.settings, digits))
    : null;

  const folder = await request.chooseFolder();
  if (folder === null) {
    return { exported: false, files: [], conversations: 0, messageCount: 0, auditEntries: 0 };
  }
  assertExportFolder(folder);
  const files: string[] = [];
  const stamp = new Date(at).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  let n = 0;
  for (const data of found) {
    let base: string;
    // Never overwrite an earlier export made in the same second.
    do {
      n += 1;
      base = `patient-${stamp}-${n}`;
    } while (
      existsSync(path.join(folder, `${base}.html`)) ||
      existsSync(path.join(folder, `${base}.json`))
    );
    writeFileAtomic(path.join(folder, `${base}.html`), renderExportHtml(data), 0o600);
    writeFileAtomic(path.join(folder, `${base}.json`), `${JSON.stringify(data, null, 2)}\n`, 0o600);
    files.push(`${base}.html`, `${base}.json`);
    repositories.audit.append({
      at,
      actorAccountId: own.accountId,
      action: exportAuditAction,
      conversationId: data.conversation.id,
      messageIds: data.messages.map((m) => m.id),
      patientRefHash: patientRef,
      details: {
        scope: 'patient',
        messageCount: data.messages.length,
        reference: request.reference,
      },
    });
  }
  if (practiceEntries !== null) {
    const base = `patient-${stamp}-practice-audit`;
    const document = {
      kind: 'practice audit entries about one patient',
      exportedAt: new Date(at).toISOString(),
      reference: request.reference,
      // Matched by the keyed patient reference; the NHS number itself is not written here.
      entries: practiceEntries,
    };
    writeFileAtomic(
      path.join(folder, `${base}.json`),
      `${JSON.stringify(document, null, 2)}\n`,
      0o600,
    );
    files.push(`${base}.json`);
  }
  return {
    exported: true,
    files,
    conversations: found.length,
    messageCount,
    auditEntries: practiceEntries?.length ?? 0,
  };
}
