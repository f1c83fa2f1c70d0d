import { z } from 'zod';
import type { SqlDatabase } from '../db/encrypted-database.js';

/**
 * A confirmed transcription whose deletion has not gone out yet: it waits here for the undo
 * window (docs/security.md). Kept in the profile database, so closing the app during the window
 * neither loses the deletion nor sends it twice: the next unlock sends what is overdue.
 */
export interface PendingTranscription {
  /** The `transcription.confirmed` audit entry; what the user undoes. */
  readonly auditId: number;
  readonly conversationId: string;
  readonly messageIds: readonly string[];
  readonly transcribedBy: string;
  readonly transcribedAt: number;
  /** When the originals go on every device; null: as soon as the window closes. */
  readonly deleteAt: number | null;
  /** The end of the undo window. */
  readonly dueAt: number;
}

interface Row {
  audit_id: number;
  conversation_id: string;
  message_ids: string;
  transcribed_by: string;
  transcribed_at: number;
  delete_at: number | null;
  due_at: number;
}

const idsSchema = z.array(z.string());

export class PendingTranscriptions {
  private readonly statements;

  constructor(db: SqlDatabase) {
    this.statements = {
      insert: db.prepare(`INSERT INTO pending_transcriptions (audit_id, conversation_id,
          message_ids, transcribed_by, transcribed_at, delete_at, due_at)
        VALUES (@auditId, @conversationId, @messageIds, @transcribedBy, @transcribedAt,
          @deleteAt, @dueAt)`),
      get: db.prepare('SELECT * FROM pending_transcriptions WHERE audit_id = ?'),
      remove: db.prepare('DELETE FROM pending_transcriptions WHERE audit_id = ?'),
      due: db.prepare('SELECT * FROM pending_transcriptions WHERE due_at <= ? ORDER BY due_at'),
      next: db.prepare('SELECT min(due_at) FROM pending_transcriptions').pluck(),
    };
  }

  add(pending: PendingTranscription): void {
    this.statements.insert.run({ ...pending, messageIds: JSON.stringify(pending.messageIds) });
  }

  get(auditId: number): PendingTranscription | null {
    const row = this.statements.get.get(auditId) as Row | undefined;
    return row ? toPending(row) : null;
  }

  /** True when it was still waiting (so this call is the one that took it). */
  remove(auditId: number): boolean {
    return this.statements.remove.run(auditId).changes === 1;
  }

  due(now: number): PendingTranscription[] {
    return (this.statements.due.all(now) as Row[]).map(toPending);
  }

  nextDue(): number | null {
    return (this.statements.next.get() as number | null | undefined) ?? null;
  }
}

function toPending(row: Row): PendingTranscription {
  return {
    auditId: row.audit_id,
    conversationId: row.conversation_id,
    messageIds: idsSchema.parse(JSON.parse(row.message_ids)),
    transcribedBy: row.transcribed_by,
    transcribedAt: row.transcribed_at,
    deleteAt: row.delete_at,
    dueAt: row.due_at,
  };
}
