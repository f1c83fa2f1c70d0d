import type { DeviceAuditKind } from '../../../../shared/device-audit-kinds.js';
import type { SqlDatabase } from '../encrypted-database.js';

/** An audit event: who did what, when, to which messages. Never message text or raw PID. */
export interface AuditEvent {
  readonly at: number;
  readonly actorAccountId: string | null;
  /** One of the registered kinds: every kind must reach the practice trail (see the list). */
  readonly action: DeviceAuditKind;
  readonly conversationId?: string | null;
  readonly messageIds?: readonly string[];
  /** A keyed hash of the patient identifier, never the identifier itself. */
  readonly patientRefHash?: string | null;
  /** Flat, non-sensitive extra facts (counts, reasons, ids). */
  readonly details?: Readonly<Record<string, string | number | boolean | null>>;
}

export interface AuditRecord extends Omit<AuditEvent, 'action'> {
  readonly id: number;
  /** As stored: a kind of this or an earlier version. */
  readonly action: string;
  readonly conversationId: string | null;
  readonly messageIds: readonly string[];
  readonly patientRefHash: string | null;
  readonly details: Readonly<Record<string, string | number | boolean | null>>;
}

interface AuditRow {
  id: number;
  at: number;
  actor_account_id: string | null;
  action: string;
  conversation_id: string | null;
  message_ids: string | null;
  patient_ref_hash: string | null;
  details: string | null;
}

/** Append-only: there is no update or delete, on purpose. */
export class AuditRepository {
  private readonly statements;

  constructor(db: SqlDatabase) {
    this.statements = {
      insert: db.prepare(`INSERT INTO audit_log (at, actor_account_id, action, conversation_id,
          message_ids, patient_ref_hash, details) VALUES (@at, @actor, @action, @conversationId,
          @messageIds, @patientRefHash, @details)`),
      page: db.prepare('SELECT * FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?'),
      forConversation: db.prepare('SELECT * FROM audit_log WHERE conversation_id = ? ORDER BY id'),
      after: db.prepare('SELECT * FROM audit_log WHERE id > ? ORDER BY id LIMIT ?'),
      latestOf: db.prepare('SELECT * FROM audit_log WHERE action = ? ORDER BY id DESC LIMIT 1'),
    };
  }

  append(event: AuditEvent): number {
    const result = this.statements.insert.run({
      at: event.at,
      actor: event.actorAccountId,
      action: event.action,
      conversationId: event.conversationId ?? null,
      messageIds: event.messageIds ? JSON.stringify(event.messageIds) : null,
      patientRefHash: event.patientRefHash ?? null,
      details: event.details ? JSON.stringify(event.details) : null,
    });
    return Number(result.lastInsertRowid);
  }

  /** Newest first; pass the last id seen as `beforeId` for the next page. */
  list(options: { limit?: number; beforeId?: number } = {}): AuditRecord[] {
    const rows = this.statements.page.all(
      options.beforeId ?? Number.MAX_SAFE_INTEGER,
      options.limit ?? 100,
    ) as AuditRow[];
    return rows.map(toRecord);
  }

  /** Oldest first, after an id: what the practice trail has not been sent yet. */
  after(afterId: number, limit: number): AuditRecord[] {
    return (this.statements.after.all(afterId, limit) as AuditRow[]).map(toRecord);
  }

  /** The newest record of one kind, or null. */
  latestOf(action: DeviceAuditKind): AuditRecord | null {
    const row = this.statements.latestOf.get(action) as AuditRow | undefined;
    return row ? toRecord(row) : null;
  }

  forConversation(conversationId: string): AuditRecord[] {
    return (this.statements.forConversation.all(conversationId) as AuditRow[]).map(toRecord);
  }
}

function toRecord(row: AuditRow): AuditRecord {
  return {
    id: row.id,
    at: row.at,
    actorAccountId: row.actor_account_id,
    action: row.action,
    conversationId: row.conversation_id,
    messageIds: row.message_ids ? (JSON.parse(row.message_ids) as string[]) : [],
    patientRefHash: row.patient_ref_hash,
    details: row.details
      ? (JSON.parse(row.details) as Record<string, string | number | boolean | null>)
      : {},
  };
}
