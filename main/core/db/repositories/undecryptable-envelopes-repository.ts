import type { SqlDatabase } from '../encrypted-database.js';

/** An envelope that could not be decrypted, kept so it is never lost and can be retried. */
export interface UndecryptableEnvelope {
  readonly relayId: string;
  readonly senderAccountId: string;
  readonly senderDeviceId: number;
  readonly clientMessageId: string;
  readonly type: number;
  readonly content: Uint8Array;
  readonly clientTimestamp: number | null;
  readonly serverTimestamp: number;
  readonly attempts: number;
  readonly lastError: string;
  readonly receivedAt: number;
}

interface Row {
  relay_id: string;
  sender_account_id: string;
  sender_device_id: number;
  client_message_id: string;
  type: number;
  content: Buffer;
  client_timestamp: number | null;
  server_timestamp: number;
  attempts: number;
  last_error: string;
  received_at: number;
}

export class UndecryptableEnvelopesRepository {
  private readonly statements;

  constructor(db: SqlDatabase) {
    this.statements = {
      insert: db.prepare(`INSERT INTO undecryptable_envelopes (relay_id, sender_account_id,
          sender_device_id, client_message_id, type, content, client_timestamp, server_timestamp,
          last_error, received_at) VALUES (@relayId, @senderAccountId, @senderDeviceId,
          @clientMessageId, @type, @content, @clientTimestamp, @serverTimestamp, @lastError,
          @receivedAt) ON CONFLICT (relay_id) DO NOTHING`),
      all: db.prepare('SELECT * FROM undecryptable_envelopes ORDER BY received_at, relay_id'),
      failedAgain: db.prepare(`UPDATE undecryptable_envelopes SET attempts = attempts + 1,
          last_error = ? WHERE relay_id = ?`),
      remove: db.prepare('DELETE FROM undecryptable_envelopes WHERE relay_id = ?'),
      // clientMessageId is the message id, or the message id, a dot and the outbox row id
      // (messaging/message-ids.ts): every kept copy of that message from that sender.
      removeCopiesOf: db.prepare(`DELETE FROM undecryptable_envelopes
          WHERE sender_account_id = @sender
          AND (client_message_id = @messageId OR substr(client_message_id, 1, @length) = @prefix)`),
    };
  }

  keep(envelope: Omit<UndecryptableEnvelope, 'attempts'>): void {
    this.statements.insert.run({ ...envelope, content: Buffer.from(envelope.content) });
  }

  all(): UndecryptableEnvelope[] {
    return (this.statements.all.all() as Row[]).map((row) => ({
      relayId: row.relay_id,
      senderAccountId: row.sender_account_id,
      senderDeviceId: row.sender_device_id,
      clientMessageId: row.client_message_id,
      type: row.type,
      content: row.content,
      clientTimestamp: row.client_timestamp,
      serverTimestamp: row.server_timestamp,
      attempts: row.attempts,
      lastError: row.last_error,
      receivedAt: row.received_at,
    }));
  }

  failedAgain(relayId: string, error: string): void {
    this.statements.failedAgain.run(error, relayId);
  }

  remove(relayId: string): void {
    this.statements.remove.run(relayId);
  }

  /** Forgets the kept copies of a message once it has been stored (resent); returns how many. */
  removeCopiesOf(senderAccountId: string, messageId: string): number {
    return this.statements.removeCopiesOf.run({
      sender: senderAccountId,
      messageId,
      prefix: `${messageId}.`,
      length: messageId.length + 1,
    }).changes;
  }
}
