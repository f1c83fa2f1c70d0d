import type { SqlDatabase } from '../../db/encrypted-database.js';

export interface GroupRow {
  readonly groupId: string;
  readonly headHash: string;
  readonly distributionId: string;
  readonly leftAt: number | null;
}

export interface StoredState {
  readonly hash: string;
  readonly groupId: string;
  readonly version: number;
  readonly signed: string;
  readonly status: 'accepted' | 'pending';
}

export interface GroupOutboxItem {
  readonly id: number;
  readonly groupId: string;
  readonly messageId: string | null;
  readonly payload: Buffer;
  readonly attempts: number;
  readonly createdAt: number;
}

export interface ReceiptCounts {
  readonly recipients: number;
  readonly delivered: number;
  readonly read: number;
}

/** The group tables of one profile (migration 010-groups). Storage only: no rule lives here. */
export class GroupsStore {
  private readonly s;

  constructor(db: SqlDatabase) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      saveState: p(`INSERT INTO group_states (hash, group_id, version, parent_hash, signed, status,
          received_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING`),
      state: p('SELECT hash, group_id, version, signed, status FROM group_states WHERE hash = ?'),
      accepted: p(`SELECT hash, group_id, version, signed, status FROM group_states
          WHERE group_id = ? AND status = 'accepted'`),
      pendingChildren: p(`SELECT hash, group_id, version, signed, status FROM group_states
          WHERE parent_hash = ? AND status = 'pending' ORDER BY version, hash`),
      accept: p(`UPDATE group_states SET status = 'accepted' WHERE hash = ?`),
      group: p('SELECT * FROM groups WHERE group_id = ?'),
      groups: p('SELECT * FROM groups ORDER BY group_id'),
      insertGroup: p(`INSERT INTO groups (group_id, head_hash, distribution_id) VALUES (?, ?, ?)`),
      setHead: p('UPDATE groups SET head_hash = ? WHERE group_id = ?'),
      setDistribution: p('UPDATE groups SET distribution_id = ? WHERE group_id = ?'),
      setLeft: p('UPDATE groups SET left_at = ? WHERE group_id = ?'),
      hasShare: p(`SELECT 1 FROM group_key_shares WHERE distribution_id = ? AND account_id = ?
          AND device_id = ?`).pluck(),
      addShare: p(`INSERT INTO group_key_shares (distribution_id, account_id, device_id)
          VALUES (?, ?, ?) ON CONFLICT DO NOTHING`),
      clearShares: p('DELETE FROM group_key_shares WHERE distribution_id = ?'),
      recordSenderKey: p(`INSERT INTO group_sender_keys (distribution_id, account_id, device_id,
          group_id) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`),
      senderKeyGroup: p(`SELECT group_id FROM group_sender_keys WHERE distribution_id = ?
          AND account_id = ? AND device_id = ?`).pluck(),
      senderKeysOf: p(`SELECT distribution_id, account_id, device_id FROM group_sender_keys
          WHERE group_id = ? AND (? IS NULL OR account_id = ?)`),
      forgetSenderKey: p(`DELETE FROM group_sender_keys WHERE distribution_id = ? AND account_id = ?
          AND device_id = ?`),
      forgetLibsignalKey: p(`DELETE FROM sender_keys WHERE account_id = ? AND device_id = ?
          AND distribution_id = ?`),
      enqueue: p(`INSERT INTO group_outbox (group_id, message_id, payload, next_attempt_at,
          created_at) VALUES (?, ?, ?, ?, ?)`),
      due: p('SELECT * FROM group_outbox WHERE next_attempt_at <= ? ORDER BY id LIMIT ?'),
      nextDue: p('SELECT min(next_attempt_at) FROM group_outbox').pluck(),
      removeItem: p('DELETE FROM group_outbox WHERE id = ?'),
      removeForMessage: p('DELETE FROM group_outbox WHERE message_id = ?'),
      failItem: p(`UPDATE group_outbox SET attempts = attempts + 1, last_error = ?,
          next_attempt_at = ? WHERE id = ?`),
      retryAll: p('UPDATE group_outbox SET next_attempt_at = min(next_attempt_at, ?)'),
      addRecipient: p(`INSERT INTO group_message_recipients (message_id, account_id)
          VALUES (?, ?) ON CONFLICT DO NOTHING`),
      delivered: p(`UPDATE group_message_recipients SET delivered_at = coalesce(delivered_at, ?)
          WHERE message_id = ? AND account_id = ?`),
      read: p(`UPDATE group_message_recipients SET read_at = coalesce(read_at, ?),
          delivered_at = coalesce(delivered_at, ?) WHERE message_id = ? AND account_id = ?`),
      counts: p(`SELECT count(*) AS recipients, count(delivered_at) AS delivered,
          count(read_at) AS read FROM group_message_recipients WHERE message_id = ?`),
      recipients: p(`SELECT account_id, delivered_at, read_at FROM group_message_recipients
          WHERE message_id = ? ORDER BY account_id`),
    };
  }

  saveState(
    state: Omit<StoredState, 'status'> & { parentHash: string | null },
    status: StoredState['status'],
    now: number,
  ): void {
    this.s.saveState.run(
      state.hash,
      state.groupId,
      state.version,
      state.parentHash,
      state.signed,
      status,
      now,
    );
  }

  state(hash: string): StoredState | null {
    return toState(this.s.state.get(hash));
  }

  acceptedStates(groupId: string): StoredState[] {
    return this.s.accepted.all(groupId).map((r) => toState(r) as StoredState);
  }

  pendingChildren(parentHash: string): StoredState[] {
    return this.s.pendingChildren.all(parentHash).map((r) => toState(r) as StoredState);
  }

  accept(hash: string): void {
    this.s.accept.run(hash);
  }

  group(groupId: string): GroupRow | null {
    return toGroup(this.s.group.get(groupId));
  }

  groups(): GroupRow[] {
    return this.s.groups.all().map((r) => toGroup(r) as GroupRow);
  }

  insertGroup(groupId: string, headHash: string, distributionId: string): void {
    this.s.insertGroup.run(groupId, headHash, distributionId);
  }

  setHead(groupId: string, headHash: string): void {
    this.s.setHead.run(headHash, groupId);
  }

  setDistribution(groupId: string, distributionId: string): void {
    this.s.setDistribution.run(distributionId, groupId);
  }

  setLeft(groupId: string, at: number | null): void {
    this.s.setLeft.run(at, groupId);
  }

  hasShare(distributionId: string, accountId: string, deviceId: number): boolean {
    return this.s.hasShare.get(distributionId, accountId, deviceId) !== undefined;
  }

  addShare(distributionId: string, accountId: string, deviceId: number): void {
    this.s.addShare.run(distributionId, accountId, deviceId);
  }

  clearShares(distributionId: string): void {
    this.s.clearShares.run(distributionId);
  }

  recordSenderKey(
    distributionId: string,
    accountId: string,
    deviceId: number,
    groupId: string,
  ): void {
    this.s.recordSenderKey.run(distributionId, accountId, deviceId, groupId);
  }

  senderKeyGroup(distributionId: string, accountId: string, deviceId: number): string | null {
    return (
      (this.s.senderKeyGroup.get(distributionId, accountId, deviceId) as string | undefined) ?? null
    );
  }

  /** Forgets received sender keys of a group (of one sender, or of all), libsignal's records too. */
  forgetSenderKeys(groupId: string, accountId: string | null = null): number {
    const rows = this.s.senderKeysOf.all(groupId, accountId, accountId) as {
      distribution_id: string;
      account_id: string;
      device_id: number;
    }[];
    for (const row of rows) {
      this.s.forgetSenderKey.run(row.distribution_id, row.account_id, row.device_id);
      // SqliteSenderKeyStore keys its rows by the distribution id's text as bytes.
      this.s.forgetLibsignalKey.run(
        row.account_id,
        row.device_id,
        Buffer.from(row.distribution_id),
      );
    }
    return rows.length;
  }

  enqueue(groupId: string, messageId: string | null, payload: Uint8Array, now: number): void {
    this.s.enqueue.run(groupId, messageId, Buffer.from(payload), now, now);
  }

  due(now: number, limit: number): GroupOutboxItem[] {
    return (
      this.s.due.all(now, limit) as {
        id: number;
        group_id: string;
        message_id: string | null;
        payload: Buffer;
        attempts: number;
        created_at: number;
      }[]
    ).map((r) => ({
      id: r.id,
      groupId: r.group_id,
      messageId: r.message_id,
      payload: r.payload,
      attempts: r.attempts,
      createdAt: r.created_at,
    }));
  }

  nextDueAt(): number | null {
    return (this.s.nextDue.get() as number | null) ?? null;
  }

  removeItem(id: number): void {
    this.s.removeItem.run(id);
  }

  /** A message deleted before it went: it does not go. */
  removeForMessage(messageId: string): void {
    this.s.removeForMessage.run(messageId);
  }

  failItem(id: number, error: string, nextAttemptAt: number): void {
    this.s.failItem.run(error, nextAttemptAt, id);
  }

  retryAllNow(now: number): void {
    this.s.retryAll.run(now);
  }

  addRecipients(messageId: string, accountIds: readonly string[]): void {
    for (const accountId of accountIds) this.s.addRecipient.run(messageId, accountId);
  }

  markDelivered(messageId: string, accountId: string, at: number): void {
    this.s.delivered.run(at, messageId, accountId);
  }

  markRead(messageId: string, accountId: string, at: number): void {
    this.s.read.run(at, at, messageId, accountId);
  }

  receiptCounts(messageId: string): ReceiptCounts {
    return this.s.counts.get(messageId) as ReceiptCounts;
  }

  recipients(
    messageId: string,
  ): { accountId: string; deliveredAt: number | null; readAt: number | null }[] {
    return (
      this.s.recipients.all(messageId) as {
        account_id: string;
        delivered_at: number | null;
        read_at: number | null;
      }[]
    ).map((r) => ({ accountId: r.account_id, deliveredAt: r.delivered_at, readAt: r.read_at }));
  }
}

function toState(row: unknown): StoredState | null {
  if (!row) return null;
  const r = row as {
    hash: string;
    group_id: string;
    version: number;
    signed: string;
    status: StoredState['status'];
  };
  return {
    hash: r.hash,
    groupId: r.group_id,
    version: r.version,
    signed: r.signed,
    status: r.status,
  };
}

function toGroup(row: unknown): GroupRow | null {
  if (!row) return null;
  const r = row as {
    group_id: string;
    head_hash: string;
    distribution_id: string;
    left_at: number | null;
  };
  return {
    groupId: r.group_id,
    headHash: r.head_hash,
    distributionId: r.distribution_id,
    leftAt: r.left_at,
  };
}
