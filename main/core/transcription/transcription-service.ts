import type { ConversationRecord } from '../db/repositories/conversations-repository.js';
import type { Repositories } from '../db/repositories/repositories.js';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { MessengerError } from '../../../shared/errors.js';
import type { LineEnding } from '../../../shared/clinical/plain-text-entry.js';
import type { RecordEntry } from '../../../shared/clinical/record-entry.js';
import type {
  DeletionScope,
  EntryFormat,
  TranscriptionDraft,
  TranscriptionForm,
  TranscriptionSelection,
} from '../../../shared/ipc/clinical-schemas.js';
import type { SensitiveClipboard } from '../clipboard/sensitive-clipboard.js';
import type { Logger } from '../log/logger.js';
import type { OpenProfile } from '../profile/open-profile.js';
import { writeFileAtomic } from '../profile/atomic-file.js';
import { assertMayDelete, deletionScope } from './deletion-scope.js';
import { EntryHandovers, type Handover } from './entry-handovers.js';
import type { OriginalsDeleter } from './originals-deleter.js';
import { communicationIdFor } from './communication-id.js';
import { OpenedTranscriptions } from './opened-transcriptions.js';
import { PendingTranscriptions } from './pending-transcriptions.js';
import { patientRefHash } from './patient-ref-hash.js';
import { entryFiles, fhirAttachmentContent } from './entry-attachments.js';
import { saveAttachment } from '../messaging/attachments/save-attachment.js';
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
  /** Entries copied or saved this session; confirm needs one (or "entered another way"). */
  readonly handovers?: EntryHandovers;
  /** How long a confirmed transcription can be undone before its deletion goes out. */
  readonly undoWindowMs?: number;
  /** Told after a confirmation is queued, so PendingDeletionRunner arms its timer. */
  readonly pendingChanged?: () => void;
  readonly logger?: Logger;
  /** Policy `recordIdentifierBase`: the practice's https base for its own FHIR identifiers. */
  readonly recordIdentifierBase?: string | null;
  /** The platform's (CRLF on Windows) unless a test says otherwise. */
  readonly lineEnding?: LineEnding;
}

export const defaultUndoWindowMs = 10_000;

export interface RenderedEntry {
  readonly format: EntryFormat;
  readonly content: string | null;
  readonly errors: string[];
}

export interface ConfirmedTranscription {
  readonly auditId: number;
  readonly originals: 'now' | 'later';
  readonly deleteAt: number;
  readonly undoUntil: number;
  readonly scope: DeletionScope;
}

export const transcriptionAuditActions = {
  confirmed: 'transcription.confirmed',
  copied: 'transcription.copied',
  fhirSaved: 'transcription.fhir_saved',
} as const;

/**
 * Transcription into the patient record, on one open profile: the prefilled draft, the entry as
 * plain text or FHIR, copying and saving it, and the "entered into the record" confirmation that
 * writes the audit event and deletes the originals everywhere.
 */
export class TranscriptionService {
  private readonly now: () => number;
  private readonly handovers: EntryHandovers;
  private readonly pending: PendingTranscriptions;
  private readonly undoWindowMs: number;
  private readonly openedAt = new OpenedTranscriptions();

  constructor(private readonly options: TranscriptionServiceOptions) {
    this.now = options.now ?? Date.now;
    this.handovers = options.handovers ?? new EntryHandovers();
    this.pending = new PendingTranscriptions(options.profile.db);
    this.undoWindowMs = options.undoWindowMs ?? defaultUndoWindowMs;
  }

  draft(selection: TranscriptionSelection): TranscriptionDraft {
    const now = this.now();
    const draft = buildTranscriptionDraft(this.options.profile.repositories, selection, now);
    this.openedAt.pin(communicationIdFor(draft.conversationId, draft.messageIds), now);
    return draft;
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
    const copied = clipboard.copy(this.renderValid(form, valid.entry, valid, 'text'));
    this.handedOver(form, valid, 'copied');
    return copied;
  }

  /**
   * Writes the FHIR Communication to `file` (a path the user picked), atomically and readable by
   * this OS user only. The audit log notes that PID left the database, not where it went: a file
   * name the user typed may itself hold the patient's name. With `withFiles`, the files the entry
   * lists are saved beside it (same folder, their own names, never over an existing file, 0600),
   * for a clinical system that takes the document separately; all are decrypted and checked
   * before anything is written.
   */
  saveFhir(
    form: TranscriptionForm,
    file: string,
    options: { withFiles?: boolean } = {},
  ): { fileName: string; files: string[] } {
    assertWritableTarget(file);
    const valid = this.validEntry(form);
    const beside = options.withFiles
      ? entryFiles(this.options.profile.repositories.attachments, valid.entry.source.messageIds)
      : [];
    writeFileAtomic(file, `${this.renderValid(form, valid.entry, valid, 'fhir')}\n`, 0o600);
    const files = beside.map((f) =>
      path.basename(saveAttachment(path.dirname(file), f.name, f.contentType, f.bytes)),
    );
    this.handedOver(form, valid, 'fhir_saved');
    return { fileName: path.basename(file), files };
  }

  /**
   * Saves the files the entry lists into `dir` (an existing folder), as saveFhir does beside the
   * FHIR file; the CLI's `transcribe --save-files`. Returns the paths written.
   */
  saveEntryFiles(form: TranscriptionForm, dir: string): string[] {
    if (!path.isAbsolute(dir) || !existsSync(dir) || !statSync(dir).isDirectory()) {
      throw new MessengerError(
        'invalid_input',
        'The folder to save the files in must be an existing folder, given as a full path.',
      );
    }
    const valid = this.validEntry(form);
    return entryFiles(
      this.options.profile.repositories.attachments,
      valid.entry.source.messageIds,
    ).map((f) => saveAttachment(dir, f.name, f.contentType, f.bytes));
  }

  /** The entry left the app: confirm may follow. Audited with ids and a keyed patient hash. */
  private handedOver(
    form: TranscriptionForm,
    valid: { entry: RecordEntry; communicationId: string },
    how: Handover,
  ): void {
    const { entry } = valid;
    const { repositories } = this.options.profile;
    const now = this.now();
    repositories.audit.append({
      at: now,
      actorAccountId: ownStaffIdentity(repositories).accountId,
      action:
        how === 'copied' ? transcriptionAuditActions.copied : transcriptionAuditActions.fhirSaved,
      conversationId: entry.source.conversationId,
      messageIds: entry.source.messageIds,
      patientRefHash: patientRefHash(repositories.settings, entry.patient.nhsNumber, now),
      details: { communicationId: valid.communicationId },
    });
    this.handovers.record(form, how);
  }

  /** What confirming a transcription of this selection deletes, and whether this user may. */
  scope(selection: TranscriptionSelection): DeletionScope {
    const { repositories } = this.options.profile;
    const { conversation, messages } = loadSelectedMessages(repositories, selection);
    return deletionScope(
      this.options.profile,
      ownStaffIdentity(repositories),
      conversation.peerAccountId,
      messages,
      groupOf(repositories, conversation),
    );
  }

  /**
   * The clinician says the entry is in the record. Refused unless this exact entry left the app
   * (copied, or saved as FHIR) or the user ticked "I have entered it another way", and unless a
   * clinical role confirms when others' messages would go (docs/security.md). Audits it and
   * queues the deletion for the end of the undo window (persisted: PendingDeletionRunner sends
   * it, at the next unlock if the app closes first); nothing is marked or sent before then.
   */
  async confirm(
    form: TranscriptionForm,
    options: { enteredAnotherWay?: boolean } = {},
  ): Promise<ConfirmedTranscription> {
    if (this.options.deleter === null) {
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
    const handover = this.handovers.of(form);
    if (handover === null && options.enteredAnotherWay !== true) {
      throw new MessengerError(
        'invalid_input',
        'Copy the entry or save the FHIR file first (and paste or import it into the patient ' +
          'record), or tick "I have entered it another way". Nothing was recorded or deleted.',
        { reason: 'not_handed_over' },
      );
    }
    const { conversation, messages } = loadSelectedMessages(repositories, form);
    assertMayDelete(own, messages);
    const scope = deletionScope(
      profile,
      own,
      conversation.peerAccountId,
      messages,
      groupOf(repositories, conversation),
    );
    const now = this.now();
    const ids = entry.source.messageIds;
    const immediate = form.deleteOriginals.when === 'now';
    const undoUntil = now + this.undoWindowMs;

    const auditId = profile.db.transaction(() => {
      const id = repositories.audit.append({
        at: now,
        actorAccountId: own.accountId,
        action: transcriptionAuditActions.confirmed,
        conversationId: entry.source.conversationId,
        messageIds: ids,
        patientRefHash: patientRefHash(repositories.settings, entry.patient.nhsNumber, now),
        details: {
          originals: immediate ? 'delete_now' : 'delete_later',
          deleteAt: immediate ? undoUntil : deleteAt,
          enteredBy: handover ?? 'another_way',
          devices: scope.devices,
          undoUntil,
          communicationId,
        },
      });
      this.pending.add({
        auditId: id,
        conversationId: entry.source.conversationId,
        messageIds: ids,
        transcribedBy: own.accountId,
        transcribedAt: now,
        deleteAt: immediate ? null : deleteAt,
        dueAt: undoUntil,
      });
      return id;
    })();
    this.options.pendingChanged?.();
    return {
      auditId,
      originals: immediate ? 'now' : 'later',
      deleteAt: immediate ? undoUntil : deleteAt,
      undoUntil,
      scope,
    };
  }

  private complete(form: TranscriptionForm) {
    const { repositories } = this.options.profile;
    const opened = this.openedAt.get(communicationIdFor(form.conversationId, form.messageIds));
    return completeRecordEntry(form, {
      selected: loadSelectedMessages(repositories, form),
      own: ownStaffIdentity(repositories),
      now: this.now(),
      ...(opened === undefined ? {} : { recordedAt: opened }),
      directory: repositories,
      files: repositories.attachments,
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
      // Decrypted only for FHIR, and only when the entry lists a file.
      ...(format === 'fhir' && entry.attachments.length > 0
        ? {
            attachmentContent: fhirAttachmentContent(
              this.options.profile.repositories.attachments,
              entry.source.messageIds,
            ),
          }
        : {}),
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

/** A group conversation's name and members, for the deletion's scope; null for a direct one. */
function groupOf(
  repositories: Pick<Repositories, 'conversations'>,
  conversation: ConversationRecord,
): { name: string; members: string[] } | null {
  if (conversation.kind !== 'group') return null;
  return {
    name: conversation.title ?? 'the group',
    members: repositories.conversations.members(conversation.id),
  };
}
