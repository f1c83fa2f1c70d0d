import { declineKeyPrefix } from './messages-repository.js';
import type { SqlDatabase } from '../encrypted-database.js';

export type AttachmentState = 'uploading' | 'uploaded' | 'downloading' | 'ready' | 'failed';

export interface AttachmentRecord {
  readonly messageId: string;
  readonly direction: 'outgoing' | 'incoming';
  readonly state: AttachmentState;
  /** The file's own AES-256 key: only ever here and inside the end-to-end encrypted message. */
  readonly fileKey: Buffer;
  /** SHA-256 of the plaintext, hex. */
  readonly sha256: string;
  /** Plaintext bytes. */
  readonly size: number;
  readonly contentType: string;
  readonly fileName: string;
  readonly chunkCount: number;
  readonly relayId: string | null;
  readonly failure: string | null;
  readonly createdAt: number;
}

export type NewAttachment = Omit<AttachmentRecord, 'failure'>;

interface AttachmentRow {
  message_id: string;
  direction: 'outgoing' | 'incoming';
  state: AttachmentState;
  file_key: Buffer;
  sha256: string;
  size: number;
  content_type: string;
  file_name: string;
  chunk_count: number;
  relay_id: string | null;
  failure: string | null;
  created_at: number;
}

const toRecord = (row: AttachmentRow): AttachmentRecord => ({
  messageId: row.message_id,
  direction: row.direction,
  state: row.state,
  fileKey: row.file_key,
  sha256: row.sha256,
  size: row.size,
  contentType: row.content_type,
  fileName: row.file_name,
  chunkCount: row.chunk_count,
  relayId: row.relay_id,
  failure: row.failure,
  createdAt: row.created_at,
});

/**
 * Attachments and their ciphertext chunks, inside the profile's SQLCipher database. A download's
 * progress is the chunks table itself (a chunk stored survives a crash); an upload's is the
 * relay's own list of the chunks it holds (AttachmentTransfers asks it on resume). The chunks'
 * `uploaded` column is no longer written: it sits after the ciphertext, so reading or updating
 * it went through every overflow page of the chunk. Rows go with their message
 * (MessagesRepository.delete).
 */
export class AttachmentsRepository {
  private readonly statements;

  constructor(db: SqlDatabase) {
    this.statements = {
      insert: db.prepare(`INSERT INTO attachments (message_id, direction, state, file_key, sha256,
          size, content_type, file_name, chunk_count, relay_id, created_at)
        VALUES (@messageId, @direction, @state, @fileKey, @sha256, @size, @contentType, @fileName,
          @chunkCount, @relayId, @createdAt)
        ON CONFLICT (message_id) DO NOTHING`),
      get: db.prepare('SELECT * FROM attachments WHERE message_id = ?'),
      getMany: db.prepare(
        'SELECT * FROM attachments WHERE message_id IN (SELECT value FROM json_each(?))',
      ),
      inState: db.prepare('SELECT * FROM attachments WHERE state = ? ORDER BY created_at'),
      setState: db.prepare('UPDATE attachments SET state = ?, failure = ? WHERE message_id = ?'),
      setRelayId: db.prepare('UPDATE attachments SET relay_id = ? WHERE message_id = ?'),
      awaitingFetchedAck: db.prepare(`SELECT * FROM attachments
        WHERE direction = 'incoming' AND state = 'ready' AND relay_id IS NOT NULL
        ORDER BY created_at`),
      putChunk: db.prepare(`INSERT INTO attachment_chunks (message_id, chunk_index, ciphertext)
          VALUES (?, ?, ?) ON CONFLICT DO NOTHING`),
      chunk: db
        .prepare(
          'SELECT ciphertext FROM attachment_chunks WHERE message_id = ? AND chunk_index = ?',
        )
        .pluck(),
      declines: db
        .prepare(
          `SELECT substr(key, ${declineKeyPrefix.length + 1}) FROM settings
          WHERE key >= '${declineKeyPrefix}' AND key < '${declineKeyPrefix}~'`,
        )
        .pluck(),
      clearDecline: db.prepare('DELETE FROM settings WHERE key = ?'),
      storedIndexes: db
        .prepare(
          'SELECT chunk_index FROM attachment_chunks WHERE message_id = ? ORDER BY chunk_index',
        )
        .pluck(),
    };
  }

  insert(attachment: NewAttachment): boolean {
    return this.statements.insert.run(attachment).changes === 1;
  }

  get(messageId: string): AttachmentRecord | null {
    const row = this.statements.get.get(messageId) as AttachmentRow | undefined;
    return row ? toRecord(row) : null;
  }

  /** The files of those of these messages that carry one (a page of messages), by message. */
  getMany(messageIds: readonly string[]): Map<string, AttachmentRecord> {
    const rows = this.statements.getMany.all(JSON.stringify(messageIds)) as AttachmentRow[];
    return new Map(rows.map((row) => [row.message_id, toRecord(row)]));
  }

  inState(state: AttachmentState): AttachmentRecord[] {
    return (this.statements.inState.all(state) as AttachmentRow[]).map(toRecord);
  }

  setState(messageId: string, state: AttachmentState, failure: string | null = null): void {
    this.statements.setState.run(state, failure, messageId);
  }

  setRelayId(messageId: string, relayId: string | null): void {
    this.statements.setRelayId.run(relayId, messageId);
  }

  /**
   * Received files whose `fetched` acknowledgement has not reached the relay yet. An incoming
   * attachment keeps its relay id until the relay has taken the acknowledgement, then the id is
   * cleared (nothing else needs it once the chunks are here), so a lost acknowledgement is sent
   * again on the next pass, after a restart too.
   */
  awaitingFetchedAck(): AttachmentRecord[] {
    return (this.statements.awaitingFetchedAck.all() as AttachmentRow[]).map(toRecord);
  }

  putChunk(messageId: string, index: number, ciphertext: Uint8Array): void {
    this.statements.putChunk.run(messageId, index, ciphertext);
  }

  chunk(messageId: string, index: number): Buffer | null {
    return (this.statements.chunk.get(messageId, index) as Buffer | undefined) ?? null;
  }

  /** Relay blobs whose message was deleted here before the relay heard this device is done. */
  pendingDeclines(): string[] {
    return this.statements.declines.all() as string[];
  }

  clearDecline(relayId: string): void {
    this.statements.clearDecline.run(`${declineKeyPrefix}${relayId}`);
  }

  storedIndexes(messageId: string): number[] {
    return this.statements.storedIndexes.all(messageId) as number[];
  }
}
