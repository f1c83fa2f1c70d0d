import { clinicalRoles } from '../../../shared/clinical/clinical-roles.js';
import type { UntranscribedAdvice } from '../../../shared/ipc/clinical-schemas.js';
import type { Role } from '../../../shared/protocol/limits.js';
import type { SqlDatabase } from '../db/encrypted-database.js';
import type { Repositories } from '../db/repositories/repositories.js';

export const noRecordNeededAuditAction = 'advice.no_record_needed';

const dayMs = 24 * 60 * 60 * 1000;
const excerptLength = 120;
const listLimit = 500;

// Advice: text written by someone whose directory role is clinical (one's own messages too: the
// directory lists one's own account), neither transcribed nor marked "no record needed".
const clinical = clinicalRoles.map((r) => `'${r}'`).join(', ');
const isAdvice = `m.kind = 'text' AND m.transcribed_at IS NULL AND m.no_record_needed_at IS NULL
  AND c.role IN (${clinical})`;

interface AdviceRow {
  messageId: string;
  conversationId: string;
  senderAccountId: string;
  senderName: string;
  senderRole: Role;
  sentAt: number;
  expiresAt: number;
  excerpt: string;
}

/**
 * Clinicians' advice that is in no patient record (DOMAIN.md: transcribe, attribute, then
 * delete). Retention still deletes it when it expires, but lists it first, for
 * `retentionWarningDays`, and audits its deletion with the message ids; a user can mark a
 * message "no record needed" (audited), which takes it off the list on this device.
 */
export class UntranscribedAdviceQueries {
  private readonly statements;

  constructor(
    private readonly db: SqlDatabase,
    private readonly repositories: Pick<Repositories, 'audit'>,
  ) {
    this.statements = {
      // The expires_at range comes first so SQLite walks the messages_by_expiry index.
      expiring: db.prepare(`SELECT m.id AS messageId, m.conversation_id AS conversationId,
          m.sender_account_id AS senderAccountId, c.display_name AS senderName,
          c.role AS senderRole, m.sent_at AS sentAt, m.expires_at AS expiresAt,
          substr(m.body, 1, ${excerptLength}) AS excerpt
        FROM messages m JOIN contacts c ON c.account_id = m.sender_account_id
        WHERE m.expires_at IS NOT NULL AND m.expires_at <= @until AND ${isAdvice}
        ORDER BY m.expires_at, m.id LIMIT @limit`),
      isAdvice: db
        .prepare(
          `SELECT 1 FROM messages m JOIN contacts c ON c.account_id = m.sender_account_id
          WHERE m.id = ? AND ${isAdvice}`,
        )
        .pluck(),
      mark: db.prepare(`UPDATE messages SET no_record_needed_at = @at, no_record_needed_by = @by
        WHERE id = @id AND kind = 'text' AND no_record_needed_at IS NULL`),
    };
  }

  /** Advice that retention deletes within `warningDays` of `now` (or is already due), soonest first. */
  expiringWithin(now: number, warningDays: number): UntranscribedAdvice[] {
    return this.statements.expiring.all({
      until: now + warningDays * dayMs,
      limit: listLimit,
    }) as AdviceRow[];
  }

  /** Which of these ids are untranscribed advice (for retention's audit entry). */
  adviceAmong(ids: readonly string[]): string[] {
    return ids.filter((id) => this.statements.isAdvice.get(id) !== undefined);
  }

  /** Marks messages "no record needed" on this device, audited with their ids; returns how many. */
  markNoRecordNeeded(ids: readonly string[], actorAccountId: string, now: number): number {
    return this.db.transaction(() => {
      const marked = ids.filter(
        (id) => this.statements.mark.run({ id, at: now, by: actorAccountId }).changes === 1,
      );
      if (marked.length > 0) {
        this.repositories.audit.append({
          at: now,
          actorAccountId,
          action: noRecordNeededAuditAction,
          messageIds: marked,
          details: { count: marked.length },
        });
      }
      return marked.length;
    })();
  }
}
