import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { MessengerError } from '../../../shared/errors.js';
import type { LineEnding } from '../../../shared/clinical/plain-text-entry.js';
import type { RecordEntry } from '../../../shared/clinical/record-entry.js';
import type {
  EntryFormat,
  TranscriptionDraft,
  TranscriptionForm,
  TranscriptionSelection,
} from '../../../shared/ipc/clinical-schemas.js';
import type { SensitiveClipboard } from '../clipboard/sensitive-clipboard.js';
import { createLogger, type Logger } from '../log/logger.js';
import type { OpenProfile } from '../profile/open-profile.js';
import { writeFileAtomic } from '../profile/atomic-file.js';
import type { OriginalsDeleter } from './originals-deleter.js';
import { patientRefHash } from './patient-ref-hash.js';
import { completeRecordEntry, type CompletedEntry } from './record-entry-from-form.js';
import { renderEntry } from './render-entry.js';
import { ownStaffIdentity } from './staff-directory.js';
import { buildTranscriptionDraft, loadSelectedMessages } from './transcription-draft.js';

export type TranscriptionProfile = Pick<OpenProfile, 'repositories' | 'db'>;

export interface TranscriptionServiceOptions {
  readonly profile: TranscriptionProfile;
  /** Null until the messaging core is wired in; confirming is refused without it. */
  readonly deleter: OriginalsDeleter | null;
  readonly clipboard: SensitiveClipboard | null;
  readonly now?: () => number;
  /** Told after expiry times change, so the single retention timer is re-armed. */
  readonly expiriesChanged?: () => void;
  readonly logger?: Logger;
  /** Policy `recordIdentifierBase`: the practice's https base for its own FHIR identifiers. */
  readonly recordIdentifierBase?: string | null;
  /** The platform's (CRLF on Windows) unless a test says otherwise. */
  readonly lineEnding?: LineEnding;
}

export interface RenderedEntry {
  readonly format: EntryFormat;
  readonly content: string | null;
  readonly errors: string[];
}

export interface ConfirmedTranscription {
  readonly auditId: number;
  /** `retrying`: the entry is confirmed but the deletion failed; retention retries it. */
  readonly originals: 'deleted' | 'scheduled' | 'retrying';
  readonly deleteAt: number;
}

export const transcriptionAuditActions = {
  confirmed: 'transcription.confirmed',
  fhirSaved: 'transcription.fhir_saved',
} as const;

/**
 * Transcription into the patient record, on one open profile: the prefilled draft, the entry as
 * plain text or FHIR, copying and saving it, and the "entered into the record" confirmation that
 * writes the audit event and deletes the originals everywhere.
 */
export class TranscriptionService {
  private readonly now: () => number;
  private readonly log: Logger;

  constructor(private readonly options: TranscriptionServiceOptions) {
    this.now = options.now ?? Date.now;
    this.log = options.logger ?? createLogger('transcription');
  }

  draft(selection: TranscriptionSelection): TranscriptionDraft {
    return buildTranscriptionDraft(this.options.profile.repositories, selection, this.now());
  }

  /** The entry in one format, or every reason it cannot be produced yet. */
  render(form: TranscriptionForm, format: EntryFormat): RenderedEntry {
    const completed = this.complete(form);
    if (!completed.validation.ok) {
      return { format, content: null, errors: [...completed.validation.errors] };
    }
    return {
      format,
      content: this.renderValid(form, completed.validation.value, completed, format),
      errors: [],
    };
  }

  /** Copies the plain-text entry; the clipboard is cleared again shortly after. */
  copy(form: TranscriptionForm): { clearsAt: number } {
    const clipboard = this.options.clipboard;
    if (clipboard === null) {
      throw new MessengerError('not_implemented', 'There is no clipboard in this environment.');
    }
    const valid = this.validEntry(form);
    return clipboard.copy(this.renderValid(form, valid.entry, valid, 'text'));
  }

  /**
   * Writes the FHIR Communication to `file` (a path the user picked), atomically and readable by
   * this OS user only. The audit log notes that PID left the database, not where it went: a file
   * name the user typed may itself hold the patient's name.
   */
  saveFhir(form: TranscriptionForm, file: string): { fileName: string } {
    assertWritableTarget(file);
    const valid = this.validEntry(form);
    const { entry } = valid;
    writeFileAtomic(file, `${this.renderValid(form, entry, valid, 'fhir')}\n`, 0o600);
    const { repositories } = this.options.profile;
    const now = this.now();
    repositories.audit.append({
      at: now,
      actorAccountId: ownStaffIdentity(repositories).accountId,
      action: transcriptionAuditActions.fhirSaved,
      conversationId: entry.source.conversationId,
      messageIds: entry.source.messageIds,
      patientRefHash: patientRefHash(repositories.settings, entry.patient.nhsNumber, now),
      details: { communicationId: valid.communicationId },
    });
    return { fileName: path.basename(file) };
  }

  /**
   * The clinician says the entry is in the record: audit it, mark the originals transcribed, and
   * delete them on every device now or at the chosen time. The expiry is set in the same
   * transaction as the audit event, so even if the deletion below fails (or the app is closed
   * before a scheduled one) retention deletes the originals when it next runs.
   */
  async confirm(form: TranscriptionForm): Promise<ConfirmedTranscription> {
    const deleter = this.options.deleter;
    if (deleter === null) {
      throw new MessengerError(
        'not_implemented',
        'Deleting messages on every device is not available yet, so a transcription cannot be ' +
          'confirmed. Nothing was recorded; try again after updating the app.',
      );
    }
    const { profile } = this.options;
    const { repositories } = profile;
    const own = ownStaffIdentity(repositories);
    const { entry, deleteAt, communicationId } = this.validEntry(form);
    const now = this.now();
    const ids = entry.source.messageIds;
    const conversationId = entry.source.conversationId;
    const immediate = form.deleteOriginals.when === 'now';

    const auditId = profile.db.transaction(() => {
      repositories.messages.markTranscribed(ids, own.accountId, now);
      for (const id of ids) {
        const current = repositories.messages.get(id)?.expiresAt ?? null;
        // Never postpone an earlier expiry (retention policy or a disappearing timer).
        if (current === null || current > deleteAt) repositories.messages.setExpiry([id], deleteAt);
      }
      return repositories.audit.append({
        at: now,
        actorAccountId: own.accountId,
        action: transcriptionAuditActions.confirmed,
        conversationId,
        messageIds: ids,
        patientRefHash: patientRefHash(repositories.settings, entry.patient.nhsNumber, now),
        details: {
          originals: immediate ? 'delete_now' : 'delete_later',
          deleteAt,
          communicationId,
        },
      });
    })();
    this.options.expiriesChanged?.();

    if (!immediate) {
      await this.bestEffort('transcribed_notice_failed', () =>
        deleter.sendTranscribedNotice(conversationId, {
          messageIds: ids,
          transcribedBy: own.accountId,
          transcribedAt: now,
          deleteAt,
        }),
      );
      return { auditId, originals: 'scheduled', deleteAt };
    }
    const deleted = await this.bestEffort('delete_for_everyone_failed', async () => {
      await deleter.deleteForEveryone(conversationId, ids, 'transcribed');
      // Idempotent: whatever the messaging core did locally, the originals are gone here.
      repositories.messages.delete(ids, this.now(), 'transcribed');
    });
    if (deleted) this.options.expiriesChanged?.();
    return { auditId, originals: deleted ? 'deleted' : 'retrying', deleteAt };
  }

  private complete(form: TranscriptionForm) {
    const { repositories } = this.options.profile;
    return completeRecordEntry(form, {
      selected: loadSelectedMessages(repositories, form),
      own: ownStaffIdentity(repositories),
      now: this.now(),
      directory: repositories,
    });
  }

  private renderValid(
    form: TranscriptionForm,
    entry: RecordEntry,
    completed: Pick<CompletedEntry, 'communicationId'>,
    format: EntryFormat,
  ): string {
    return renderEntry(entry, format, {
      template: form.template,
      communicationId: completed.communicationId,
      identifierBase: this.options.recordIdentifierBase ?? null,
      ...(this.options.lineEnding ? { lineEnding: this.options.lineEnding } : {}),
    });
  }

  private validEntry(form: TranscriptionForm): {
    entry: RecordEntry;
    deleteAt: number;
    communicationId: string;
  } {
    const completed = this.complete(form);
    if (!completed.validation.ok) {
      const { errors } = completed.validation;
      throw new MessengerError(
        'invalid_input',
        `The record entry is incomplete or invalid: ${errors.join('; ')}`,
        { errors },
      );
    }
    return {
      entry: completed.validation.value,
      deleteAt: completed.deleteAt,
      communicationId: completed.communicationId,
    };
  }

  private async bestEffort(event: string, work: () => Promise<void>): Promise<boolean> {
    try {
      await work();
      return true;
    } catch (error) {
      this.log.warn(event, { error: error instanceof Error ? error.name : typeof error });
      return false;
    }
  }
}

function assertWritableTarget(file: string): void {
  if (!path.isAbsolute(file)) {
    throw new MessengerError(
      'invalid_input',
      'The file to save to must be a full (absolute) path.',
    );
  }
  const folder = path.dirname(file);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new MessengerError(
      'invalid_input',
      'The folder to save the file in does not exist; choose an existing folder.',
    );
  }
  if (existsSync(file) && !statSync(file).isFile()) {
    throw new MessengerError('invalid_input', 'That name belongs to a folder; choose a file name.');
  }
}
