import type { LinkStateName, LinkView } from '../../shared/protocol/index.js';
import { postgresRoleSql, sqliteRoleSql, type RoleSql } from '../roles/role-sql.js';
import { PostgresRelayStorage } from '../storage/postgres-relay-storage.js';
import type { RelayStorage } from '../storage/relay-storage.js';
import { SqliteRelayStorage } from '../storage/sqlite-relay-storage.js';

/** What a new PC sent with the link code: public keys only, kept until the request is decided. */
export interface StoredLinkRequest {
  deviceName: string;
  identityKey: string;
  proof: string;
  registrationId: number;
  signedPreKey: { keyId: number; publicKey: string; signature: string };
  kyberLastResortPreKey: { keyId: number; publicKey: string; signature: string };
  preKeys: { keyId: number; publicKey: string }[];
  kyberPreKeys: { keyId: number; publicKey: string; signature: string }[];
}

export interface LinkRecord {
  linkHash: Uint8Array;
  accountId: string;
  createdByDeviceId: number;
  approvalRequired: boolean;
  createdAt: number;
  expiresAt: number;
  /** As stored; `expired` is never stored but read off `expiresAt` (see linkState). */
  state: Exclude<LinkStateName, 'expired'>;
  request: StoredLinkRequest | null;
  requestTokenHash: Uint8Array | null;
  requestedAt: number | null;
  deviceId: number | null;
}

interface LinkRow {
  link_hash: Uint8Array;
  account_id: string;
  created_by_device_id: number;
  approval_required: number;
  created_at: number | string;
  expires_at: number | string;
  state: LinkRecord['state'];
  request: string | null;
  request_token_hash: Uint8Array | null;
  requested_at: number | string | null;
  device_id: number | null;
}

const toRecord = (row: LinkRow): LinkRecord => ({
  linkHash: row.link_hash,
  accountId: row.account_id,
  createdByDeviceId: Number(row.created_by_device_id),
  approvalRequired: Number(row.approval_required) === 1,
  createdAt: Number(row.created_at),
  expiresAt: Number(row.expires_at),
  state: row.state,
  request: row.request === null ? null : (JSON.parse(row.request) as StoredLinkRequest),
  requestTokenHash: row.request_token_hash,
  requestedAt: row.requested_at === null ? null : Number(row.requested_at),
  deviceId: row.device_id === null ? null : Number(row.device_id),
});

/** A link still waiting (open or requested) past its expiry is expired; a decided one is not. */
export function linkState(link: LinkRecord, now: number): LinkStateName {
  const waiting = link.state === 'open' || link.state === 'requested';
  return waiting && link.expiresAt <= now ? 'expired' : link.state;
}

export function linkView(link: LinkRecord, now: number): LinkView {
  return {
    state: linkState(link, now),
    approvalRequired: link.approvalRequired,
    createdAt: link.createdAt,
    expiresAt: link.expiresAt,
    request:
      link.request === null
        ? null
        : {
            deviceName: link.request.deviceName,
            identityKey: link.request.identityKey,
            proof: link.request.proof,
            requestedAt: link.requestedAt ?? link.createdAt,
          },
    deviceId: link.deviceId,
  };
}

/**
 * Link codes on the relay's own database (SQLite or PostgreSQL), written once over RoleSql. A
 * device has at most one link: a new code replaces the device's earlier one, so an old code
 * lying on a desk stops working as soon as the person makes another.
 */
export class LinkStore {
  constructor(private readonly sql: RoleSql) {}

  static for(storage: RelayStorage): LinkStore {
    if (storage instanceof SqliteRelayStorage) return new LinkStore(sqliteRoleSql(storage.db));
    if (storage instanceof PostgresRelayStorage)
      return new LinkStore(postgresRoleSql(storage.pool));
    throw new Error('Link codes need the SQLite or PostgreSQL relay store.');
  }

  async create(input: {
    linkHash: Uint8Array;
    accountId: string;
    deviceId: number;
    approvalRequired: boolean;
    now: number;
    expiresAt: number;
  }): Promise<LinkRecord> {
    await this.sql.transaction(async (sql) => {
      await sql.run('DELETE FROM device_links WHERE account_id = ? AND created_by_device_id = ?', [
        input.accountId,
        input.deviceId,
      ]);
      await sql.run(
        `INSERT INTO device_links (link_hash, account_id, created_by_device_id, approval_required,
            created_at, expires_at, state) VALUES (?, ?, ?, ?, ?, ?, 'open')`,
        [
          Buffer.from(input.linkHash),
          input.accountId,
          input.deviceId,
          input.approvalRequired ? 1 : 0,
          input.now,
          input.expiresAt,
        ],
      );
    });
    const created = await this.find(input.linkHash);
    if (!created) throw new Error('the link just stored is missing');
    return created;
  }

  async find(linkHash: Uint8Array): Promise<LinkRecord | null> {
    const rows = await this.sql.all<LinkRow>('SELECT * FROM device_links WHERE link_hash = ?', [
      Buffer.from(linkHash),
    ]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** The device's current link, whatever its state; null when it never made one. */
  async current(accountId: string, deviceId: number): Promise<LinkRecord | null> {
    const rows = await this.sql.all<LinkRow>(
      `SELECT * FROM device_links WHERE account_id = ? AND created_by_device_id = ?
        ORDER BY created_at DESC LIMIT 1`,
      [accountId, deviceId],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** Records the new PC's request on an open link; false when another got there first. */
  async request(input: {
    linkHash: Uint8Array;
    request: StoredLinkRequest;
    tokenHash: Uint8Array;
    now: number;
  }): Promise<boolean> {
    const changed = await this.sql.run(
      `UPDATE device_links SET state = 'requested', request = ?, request_token_hash = ?,
          requested_at = ? WHERE link_hash = ? AND state = 'open' AND expires_at > ?`,
      [
        JSON.stringify(input.request),
        Buffer.from(input.tokenHash),
        input.now,
        Buffer.from(input.linkHash),
        input.now,
      ],
    );
    return changed === 1;
  }

  /** The decision on a requested link: the device added (approved or, without approval, used). */
  async decide(input: {
    linkHash: Uint8Array;
    state: 'approved' | 'used' | 'refused';
    deviceId: number | null;
    now: number;
  }): Promise<void> {
    await this.sql.run(
      `UPDATE device_links SET state = ?, device_id = ?, decided_at = ?
        WHERE link_hash = ? AND state = 'requested'`,
      [input.state, input.deviceId, input.now, Buffer.from(input.linkHash)],
    );
  }

  /** Forgets links decided or expired long ago; their hashes are useless to anyone by then. */
  async prune(olderThan: number): Promise<number> {
    return this.sql.run('DELETE FROM device_links WHERE expires_at < ?', [olderThan]);
  }
}
