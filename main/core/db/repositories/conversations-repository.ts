import { randomUUID } from 'node:crypto';
import type { SqlDatabase } from '../encrypted-database.js';

export type ConversationKind = 'direct' | 'group';

export interface ConversationRecord {
  readonly id: string;
  readonly kind: ConversationKind;
  /** The other person in a direct conversation; null for a group. */
  readonly peerAccountId: string | null;
  readonly title: string | null;
  readonly createdAt: number;
  readonly lastActivityAt: number;
  /** Per-conversation disappearing-message timer; null when off. */
  readonly disappearingSeconds: number | null;
  /** Set when the peer's identity key changed and the user has not acknowledged it yet. */
  readonly identityChangedAt: number | null;
}

interface ConversationRow {
  id: string;
  kind: ConversationKind;
  peer_account_id: string | null;
  title: string | null;
  created_at: number;
  last_activity_at: number;
  disappearing_seconds: number | null;
  identity_changed_at: number | null;
}

export class ConversationsRepository {
  private readonly statements;

  constructor(private readonly db: SqlDatabase) {
    this.statements = {
      insert: db.prepare(`INSERT INTO conversations (id, kind, peer_account_id, title, created_at,
          last_activity_at) VALUES (@id, @kind, @peerAccountId, @title, @createdAt, @createdAt)`),
      get: db.prepare('SELECT * FROM conversations WHERE id = ?'),
      findDirect: db.prepare(
        `SELECT * FROM conversations WHERE kind = 'direct' AND peer_account_id = ?`,
      ),
      list: db.prepare('SELECT * FROM conversations ORDER BY last_activity_at DESC, id'),
      touch: db.prepare(
        'UPDATE conversations SET last_activity_at = max(last_activity_at, ?) WHERE id = ?',
      ),
      setTitle: db.prepare('UPDATE conversations SET title = ? WHERE id = ?'),
      setDisappearing: db.prepare('UPDATE conversations SET disappearing_seconds = ? WHERE id = ?'),
      markIdentityChanged: db.prepare(`UPDATE conversations SET identity_changed_at = ?
          WHERE kind = 'direct' AND peer_account_id = ?`),
      clearIdentityChanged: db.prepare(
        'UPDATE conversations SET identity_changed_at = NULL WHERE id = ?',
      ),
      delete: db.prepare('DELETE FROM conversations WHERE id = ?'),
      addMember: db.prepare(`INSERT INTO conversation_members (conversation_id, account_id)
          VALUES (?, ?) ON CONFLICT DO NOTHING`),
      removeMember: db.prepare(
        'DELETE FROM conversation_members WHERE conversation_id = ? AND account_id = ?',
      ),
      members: db
        .prepare(
          'SELECT account_id FROM conversation_members WHERE conversation_id = ? ORDER BY account_id',
        )
        .pluck(),
    };
  }

  get(id: string): ConversationRecord | null {
    const row = this.statements.get.get(id) as ConversationRow | undefined;
    return row ? toRecord(row) : null;
  }

  findDirect(peerAccountId: string): ConversationRecord | null {
    const row = this.statements.findDirect.get(peerAccountId) as ConversationRow | undefined;
    return row ? toRecord(row) : null;
  }

  /** The one direct conversation with this person, created on first use. */
  getOrCreateDirect(peerAccountId: string, now: number): ConversationRecord {
    return this.db.transaction(() => {
      const existing = this.findDirect(peerAccountId);
      if (existing) return existing;
      const id = randomUUID();
      this.statements.insert.run({
        id,
        kind: 'direct',
        peerAccountId,
        title: null,
        createdAt: now,
      });
      return this.get(id) as ConversationRecord;
    })();
  }

  createGroup(
    title: string,
    memberAccountIds: readonly string[],
    now: number,
    id: string = randomUUID(),
  ): ConversationRecord {
    return this.db.transaction(() => {
      this.statements.insert.run({ id, kind: 'group', peerAccountId: null, title, createdAt: now });
      for (const member of memberAccountIds) this.statements.addMember.run(id, member);
      return this.get(id) as ConversationRecord;
    })();
  }

  /** Most recently active first. */
  list(): ConversationRecord[] {
    return (this.statements.list.all() as ConversationRow[]).map(toRecord);
  }

  /** Records activity; never moves the time backwards (messages may arrive out of order). */
  touch(id: string, at: number): void {
    this.statements.touch.run(at, id);
  }

  setTitle(id: string, title: string | null): void {
    this.statements.setTitle.run(title, id);
  }

  setDisappearingSeconds(id: string, seconds: number | null): void {
    this.statements.setDisappearing.run(seconds, id);
  }

  /** Flags the direct conversation with this peer after their identity key changed. */
  markIdentityChanged(peerAccountId: string, at: number): void {
    this.statements.markIdentityChanged.run(at, peerAccountId);
  }

  clearIdentityChanged(id: string): void {
    this.statements.clearIdentityChanged.run(id);
  }

  /** Deletes the conversation and (by cascade) its messages and members. */
  delete(id: string): boolean {
    return this.statements.delete.run(id).changes === 1;
  }

  members(id: string): string[] {
    return this.statements.members.all(id) as string[];
  }

  addMember(id: string, accountId: string): void {
    this.statements.addMember.run(id, accountId);
  }

  removeMember(id: string, accountId: string): void {
    this.statements.removeMember.run(id, accountId);
  }
}

function toRecord(row: ConversationRow): ConversationRecord {
  return {
    id: row.id,
    kind: row.kind,
    peerAccountId: row.peer_account_id,
    title: row.title,
    createdAt: row.created_at,
    lastActivityAt: row.last_activity_at,
    disappearingSeconds: row.disappearing_seconds,
    identityChangedAt: row.identity_changed_at,
  };
}
