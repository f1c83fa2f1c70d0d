import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { MessengerError } from '../../../shared/errors.js';
import type { OpenProfile } from '../profile/open-profile.js';
import { writeFileAtomic } from '../profile/atomic-file.js';
import { ownStaffIdentity } from '../transcription/staff-directory.js';
import { buildConversationExport } from './export-document.js';
import { renderExportHtml } from './export-html.js';

export const exportAuditAction = 'conversation.exported';

export type ExportProfile = Pick<OpenProfile, 'repositories' | 'db' | 'verifyPasscode'>;

export interface ExportRequest {
  readonly conversationId: string;
  /** Re-entered by the user: an unlocked, unattended PC must not be enough to export. */
  readonly passcode: string;
  readonly reference: string | null;
  /** Asked only once the export is authorised; null when the user cancels. */
  readonly chooseFolder: () => Promise<string | null>;
}

export interface ExportResult {
  readonly exported: boolean;
  readonly files: string[];
  readonly messageCount: number;
}

/**
 * An authorised Subject Access Request export of one conversation: allowed only when the managed
 * policy says so and after the passcode is entered again (a counted attempt). Writes a readable
 * HTML file and a JSON file, both 0600, into a folder the user picks, and audits the export.
 */
export async function exportConversation(
  profile: ExportProfile,
  policy: { allowExport: boolean },
  request: ExportRequest,
  now: () => number = Date.now,
): Promise<ExportResult> {
  if (!policy.allowExport) {
    throw new MessengerError(
      'policy_restricted',
      "Your practice's policy does not allow exporting conversations from this computer. Ask " +
        'your practice manager or IT support to enable allowExport for Subject Access Requests.',
    );
  }
  const { repositories } = profile;
  const conversation = repositories.conversations.get(request.conversationId);
  if (conversation === null) {
    throw new MessengerError('not_found', 'That conversation is not on this device.');
  }
  await profile.verifyPasscode(request.passcode);
  const own = ownStaffIdentity(repositories);

  const folder = await request.chooseFolder();
  if (folder === null) return { exported: false, files: [], messageCount: 0 };
  assertExportFolder(folder);

  const at = now();
  const data = buildConversationExport(repositories, conversation, {
    own,
    now: at,
    reference: request.reference,
  });
  const base = uniqueBaseName(folder, conversation.id, at);
  const files = [`${base}.html`, `${base}.json`];
  writeFileAtomic(path.join(folder, files[0] as string), renderExportHtml(data), 0o600);
  writeFileAtomic(
    path.join(folder, files[1] as string),
    `${JSON.stringify(data, null, 2)}\n`,
    0o600,
  );
  repositories.audit.append({
    at,
    actorAccountId: own.accountId,
    action: exportAuditAction,
    conversationId: conversation.id,
    details: {
      messageCount: data.messages.length,
      reference: request.reference,
    },
  });
  return { exported: true, files, messageCount: data.messages.length };
}

export function assertExportFolder(folder: string): void {
  if (!path.isAbsolute(folder) || !existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new MessengerError(
      'invalid_input',
      'The export folder must be an existing folder, given as a full path.',
    );
  }
}

/** conversation-<id start>-<UTC yyyymmdd-hhmmss>, never overwriting an earlier export. */
function uniqueBaseName(folder: string, conversationId: string, at: number): string {
  const stamp = new Date(at).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const safeId = conversationId.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 8) || 'conversation';
  const stem = `conversation-${safeId}-${stamp}`;
  for (let n = 1; ; n += 1) {
    const base = n === 1 ? stem : `${stem}-${n}`;
    if (
      !existsSync(path.join(folder, `${base}.html`)) &&
      !existsSync(path.join(folder, `${base}.json`))
    ) {
      return base;
    }
  }
}
