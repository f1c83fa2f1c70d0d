import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { currentSchemaVersion, migratePostgres } from './postgres-migrations.js';
import { PostgresCluster } from './postgres-cluster.js';
import { PostgresAckBatcher } from './postgres-acks.js';
import { enqueuePostgres } from './postgres-enqueue.js';
import {
  postgresOrgQuota,
  postgresOrgUsage,
  postgresReserveBlob,
  postgresSetOrgQuota,
  type OrgQuota,
  type OrgUsage,
  type QuotaBreach,
} from './org-quota.js';
import { combineOutcomes, MultiEnqueueRefused, perAccountInputs } from './multi-enqueue.js';
import { toAccount, type AccountRow } from './postgres-rows.js';
import {
  appendDeviceRecordsPostgres,
  appendRelayRecordPostgres,
  auditAnchorPostgres,
  auditOrgsPostgres,
  listAuditReadersPostgres,
  pruneAuditRecordsPostgres,
  readAuditRecordsPostgres,
  signingKeyPostgres,
  verifyAuditChainPostgres,
} from './postgres-audit.js';
import {
  checkCodePostgres,
  issueCode,
  redeemPostgres,
  revokePostgres,
  storeOneTimeKeys,
  takeBundlesPostgres,
} from './postgres-writes.js';
import {
  postgresPatientKeyHolders,
  postgresPatientKeys,
  postgresStorePatientKeys,
} from './postgres-patient-keys.js';
import type {
  PatientKeyHolder,
  PatientKeyStoreResult,
  PatientKeyUpload,
  StoredPatientKeys,
} from './patient-key-rules.js';
import type {
  AccountRecord,
  AccountWithDevices,
  BlobReservation,
  AccountDevice,
  AuditAppendInput,
  AuditPage,
  AuditReadRange,
  AuditVerification,
  RelayAuditInput,
  RoleChangeInput,
  RoleChangeResult,
  AdminAccount,
  CodeCheck,
  DeviceRecord,
  EnqueueInput,
  EnqueueResult,
  MultiEnqueueInput,
  MultiEnqueueResult,
  IssueCodeInput,
  IssuedCode,
  KeyUpload,
  RedeemInput,
  RedeemResult,
  RelayStorage,
  RevokedDevice,
  RevokeInput,
  StoredBundle,
  StoredEnvelope,
} from './relay-storage.js';

export interface PostgresOptions {
  /** Create or upgrade the schema (serve); admin commands refuse a database without one. */
  migrate?: boolean;
  /** Connections of this process's pool (default 10). */
  poolSize?: number;
  /**
   * How long a statement waits for another transaction's lock before failing with
   * lock_not_available (the relay's 503 storage_unavailable). Default 3000.
   */
  lockTimeoutMs?: number;
  /** Reports errors of idle connections and of the LISTEN connection. */
  onError?: (error: unknown) => void;
}

const int8 = 20;
const numeric = 1700;
// COUNT(*) and BIGINT come back as strings by default; every value the relay stores is far
// below 2^53, so numbers are safe and keep the rows the same shape as SQLite's.
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === int8 || oid === numeric
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** Whether a --database value names PostgreSQL. */
export function isPostgresUrl(value: string): boolean {
  return /^postgres(ql)?:\/\//i.test(value);
}

/**
 * The hosted backend: one PostgreSQL database that several relay processes may serve at once.
 * PostgreSQL commits durably (synchronous_commit on, its default), so a resolved write is on
 * disk, and on a synchronous standby too when the operator configures one.
 */
export class PostgresRelayStorage implements RelayStorage {
  readonly cluster: PostgresCluster;
  private readonly acks: PostgresAckBatcher;

  private constructor(
    readonly pool: pg.Pool,
    private readonly config: pg.ClientConfig,
    onError: (error: unknown) => void,
  ) {
    this.cluster = new PostgresCluster(config, pool, randomUUID(), onError);
    this.acks = new PostgresAckBatcher(pool);
  }

  static async open(url: string, options: PostgresOptions = {}): Promise<PostgresRelayStorage> {
    const onError = options.onError ?? (() => undefined);
    const config: pg.ClientConfig = {
      connectionString: url,
      types,
      lock_timeout: options.lockTimeoutMs ?? 3000,
      application_name: 'pmsg-relay',
    };
    // A database that cannot be reached fails a request within seconds (503), never hangs it.
    const pool = new pg.Pool({
      ...config,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: 5000,
    });
    pool.on('error', onError);
    const storage = new PostgresRelayStorage(pool, config, onError);
    try {
      const client = await pool.connect();
      try {
        if (options.migrate) await migratePostgres(client);
        else if ((await currentSchemaVersion(client)) === null) {
          throw new Error(
            'This database holds no relay (no relay_schema table). Give the --database of the relay, as used by `pmsg relay serve`, which creates it.',
          );
        }
      } finally {
        client.release();
      }
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw error;
    }
    return storage;
  }

  /** Another pool on the same database (the attachment store's), ended by its owner. */
  openPool(max: number, onError: (error: unknown) => void): pg.Pool {
    const pool = new pg.Pool({ ...this.config, max, connectionTimeoutMillis: 5000 });
    pool.on('error', onError);
    return pool;
  }

  /** Runs work in one transaction; rolls back if it throws. */
  private async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  issueEnrolmentCode(input: IssueCodeInput): Promise<IssuedCode> {
    return this.transaction((client) => issueCode(client, input));
  }

  checkEnrolmentCode(codeHash: Uint8Array, now: number): Promise<CodeCheck> {
    return checkCodePostgres(this.pool, codeHash, now);
  }

  redeemEnrolmentCode(input: RedeemInput): Promise<RedeemResult> {
    return this.transaction((client) => redeemPostgres(client, input));
  }

  async findDeviceByTokenHash(tokenHash: Uint8Array): Promise<DeviceRecord | null> {
    const row = (
      await this.pool.query<
        AccountRow & {
          device_pk: number;
          device_id: number;
          registration_id: number;
          identity_key: Buffer;
          token_hash: Buffer;
          device_status: 'active' | 'revoked';
          wipe: boolean;
          removed_by_device_id: number | null;
          removed_by_device_name: string | null;
        }
      >(
        `SELECT d.device_pk, d.account_id, d.device_id, d.registration_id, d.identity_key,
                d.token_hash, d.status AS device_status, d.wipe, d.removed_by_device_id,
                d.removed_by_device_name, a.display_name, a.role, a.org,
                a.status
           FROM devices d JOIN accounts a USING (account_id) WHERE d.token_hash = $1`,
        [Buffer.from(tokenHash)],
      )
    ).rows[0];
    if (!row) return null;
    return {
      devicePk: row.device_pk,
      accountId: row.account_id,
      deviceId: row.device_id,
      registrationId: row.registration_id,
      identityKey: row.identity_key,
      tokenHash: row.token_hash,
      status: row.device_status,
      wipe: row.wipe,
      removedBy:
        row.removed_by_device_id === null
          ? null
          : { deviceId: row.removed_by_device_id, name: row.removed_by_device_name },
      account: toAccount(row),
    };
  }

  async markWipeDelivered(devicePk: number, at: number): Promise<void> {
    await this.transaction(async (client) => {
      const changed = await client.query<{ account_id: string; device_id: number }>(
        `UPDATE devices SET wipe_delivered_at = $1
          WHERE device_pk = $2 AND wipe_delivered_at IS NULL RETURNING account_id, device_id`,
        [at, devicePk],
      );
      // Told once: the device has been sent its wipe order (§13), whichever node told it.
      const device = changed.rows[0];
      if (device) {
        await appendRelayRecordPostgres(client, {
          kind: 'device.wiped',
          accountId: device.account_id,
          deviceId: device.device_id,
          now: at,
        });
      }
    });
  }

  async touchDevice(devicePk: number, at: number): Promise<void> {
    await this.pool.query('UPDATE devices SET last_seen_at = $1 WHERE device_pk = $2', [
      at,
      devicePk,
    ]);
  }

  async getAccount(accountId: string): Promise<AccountRecord | null> {
    const row = (
      await this.pool.query<AccountRow>(
        `SELECT account_id, display_name, role, org, status, gmc_number, nmc_pin, sds_user_id
           FROM accounts WHERE account_id = $1`,
        [accountId],
      )
    ).rows[0];
    return row ? toAccount(row) : null;
  }

  async listDirectory(org: string): Promise<AccountWithDevices[]> {
    const rows = await this.pool.query<
      AccountRow & { device_id: number; registration_id: number; device_name: string | null }
    >(
      `SELECT a.account_id, a.display_name, a.role, a.org, a.status, a.gmc_number, a.nmc_pin,
              a.sds_user_id, d.device_id, d.registration_id, d.name AS device_name
         FROM accounts a JOIN devices d USING (account_id)
        WHERE a.org = $1 AND a.status = 'active' AND d.status = 'active'
        ORDER BY a.display_name COLLATE "C", a.account_id, d.device_id`,
      [org],
    );
    const byId = new Map<string, AccountWithDevices>();
    for (const row of rows.rows) {
      let entry = byId.get(row.account_id);
      if (!entry) {
        entry = { ...toAccount(row), devices: [] };
        byId.set(row.account_id, entry);
      }
      entry.devices.push({
        deviceId: row.device_id,
        registrationId: row.registration_id,
        name: row.device_name,
      });
    }
    return [...byId.values()];
  }

  async listAccountDevices(accountId: string): Promise<AccountDevice[]> {
    const rows = await this.pool.query<{
      device_id: number;
      name: string | null;
      created_at: number;
      last_seen_at: number | null;
    }>(
      `SELECT device_id, name, created_at, last_seen_at FROM devices
        WHERE account_id = $1 AND status = 'active' ORDER BY device_id`,
      [accountId],
    );
    return rows.rows.map((d) => ({
      deviceId: d.device_id,
      name: d.name,
      createdAt: d.created_at,
      lastSeenAt: d.last_seen_at,
    }));
  }

  async listAllAccounts(): Promise<AdminAccount[]> {
    const now = Date.now();
    const accounts = await this.pool.query<AccountRow & { created_at: number }>(
      `SELECT account_id, display_name, role, org, status, created_at FROM accounts
        ORDER BY org COLLATE "C", display_name COLLATE "C"`,
    );
    const devices = await this.pool.query<{
      account_id: string;
      device_id: number;
      name: string | null;
      status: 'active' | 'revoked';
      wipe: boolean;
      wipe_delivered_at: number | null;
      created_at: number;
      last_seen_at: number | null;
      queued: number;
    }>(
      `SELECT account_id, device_id, name, status, wipe, wipe_delivered_at, created_at, last_seen_at,
              (SELECT COUNT(*) FROM envelopes e WHERE e.device_pk = d.device_pk) AS queued
         FROM devices d ORDER BY account_id, device_id`,
    );
    const codes = await this.pool.query<{ account_id: string; expires_at: number }>(
      `SELECT account_id, expires_at FROM enrolment_codes
        WHERE used_at IS NULL AND expires_at > $1 ORDER BY created_at`,
      [now],
    );
    return accounts.rows.map((row) => ({
      ...toAccount(row),
      createdAt: row.created_at,
      devices: devices.rows
        .filter((d) => d.account_id === row.account_id)
        .map((d) => ({
          deviceId: d.device_id,
          name: d.name,
          status: d.status,
          wipe: d.wipe,
          wipeDeliveredAt: d.wipe_delivered_at,
          createdAt: d.created_at,
          lastSeenAt: d.last_seen_at,
          queued: d.queued,
        })),
      pendingCodes: codes.rows
        .filter((c) => c.account_id === row.account_id)
        .map((c) => ({ expiresAt: c.expires_at })),
    }));
  }

  takePreKeyBundles(accountId: string, deviceId: number | null): Promise<StoredBundle[]> {
    return this.transaction((client) => takeBundlesPostgres(client, accountId, deviceId));
  }

  async countPreKeys(devicePk: number): Promise<{ preKeys: number; kyberPreKeys: number }> {
    const row = (
      await this.pool.query<{ pre: number; kyber: number }>(
        `SELECT (SELECT COUNT(*) FROM pre_keys WHERE device_pk = $1) AS pre,
                (SELECT COUNT(*) FROM kyber_pre_keys WHERE device_pk = $1) AS kyber`,
        [devicePk],
      )
    ).rows[0];
    return { preKeys: row?.pre ?? 0, kyberPreKeys: row?.kyber ?? 0 };
  }

  async storeKeys(devicePk: number, keys: KeyUpload): Promise<void> {
    await this.transaction((client) => storeOneTimeKeys(client, devicePk, keys));
  }

  enqueue(input: EnqueueInput): Promise<EnqueueResult> {
    // One statement, so its own transaction: no BEGIN and COMMIT round trips.
    return enqueuePostgres(this.pool, input, this.cluster.nodeId);
  }

  async enqueueMulti(input: MultiEnqueueInput): Promise<MultiEnqueueResult> {
    try {
      return await this.transaction(async (client) => {
        const outcomes = [];
        for (const one of perAccountInputs(input)) {
          outcomes.push({
            accountId: one.recipientAccountId,
            result: await enqueuePostgres(client, one, this.cluster.nodeId),
          });
        }
        const combined = combineOutcomes(outcomes);
        // Throwing rolls back every account's copies (and their NOTIFYs).
        if (!combined.ok) throw new MultiEnqueueRefused(combined);
        return combined;
      });
    } catch (error) {
      if (error instanceof MultiEnqueueRefused) return error.result;
      throw error;
    }
  }

  async fetchQueue(devicePk: number, afterId: number, limit: number): Promise<StoredEnvelope[]> {
    const rows = await this.pool.query<{
      id: number;
      sender_account_id: string;
      sender_device_id: number;
      client_message_id: string;
      type: number;
      content: Buffer;
      client_timestamp: number | null;
      server_timestamp: number;
    }>(
      `SELECT id, sender_account_id, sender_device_id, client_message_id, type, content,
              client_timestamp, server_timestamp
         FROM envelopes WHERE device_pk = $1 AND id > $2 ORDER BY id LIMIT $3`,
      [devicePk, afterId, limit],
    );
    return rows.rows.map((row) => ({
      id: row.id,
      senderAccountId: row.sender_account_id,
      senderDeviceId: row.sender_device_id,
      clientMessageId: row.client_message_id,
      type: row.type,
      content: row.content,
      clientTimestamp: row.client_timestamp,
      serverTimestamp: row.server_timestamp,
    }));
  }

  ack(devicePk: number, ids: readonly number[]): Promise<number> {
    return this.acks.ack(devicePk, ids);
  }

  revoke(input: RevokeInput): Promise<RevokedDevice[]> {
    return this.transaction((client) => revokePostgres(client, input));
  }

  async revocationsSince(seq: number): Promise<{ seq: number; devices: RevokedDevice[] }> {
    const rows = await this.pool.query<{
      seq: number;
      device_pk: number;
      account_id: string;
      device_id: number;
      wipe: boolean;
      removed_by_device_id: number | null;
      removed_by_device_name: string | null;
    }>(
      `SELECT r.seq, d.device_pk, d.account_id, d.device_id, d.wipe, d.removed_by_device_id,
              d.removed_by_device_name
         FROM revocations r JOIN devices d USING (device_pk) WHERE r.seq > $1 ORDER BY r.seq`,
      [seq],
    );
    return {
      seq: rows.rows.at(-1)?.seq ?? seq,
      devices: rows.rows.map((r) => ({
        devicePk: r.device_pk,
        accountId: r.account_id,
        deviceId: r.device_id,
        wipe: r.wipe,
        removedBy:
          r.removed_by_device_id === null
            ? null
            : { deviceId: r.removed_by_device_id, name: r.removed_by_device_name },
      })),
    };
  }

  orgQuota(org: string, now: number): Promise<{ quota: OrgQuota; usage: OrgUsage }> {
    return this.transaction(async (client) => ({
      quota: await postgresOrgQuota(client, org),
      usage: await postgresOrgUsage(client, org, now),
    }));
  }

  async setOrgQuota(org: string, quota: OrgQuota): Promise<void> {
    await this.transaction((client) => postgresSetOrgQuota(client, org, quota));
  }

  async reserveBlob(input: BlobReservation): Promise<{ ok: true } | ({ ok: false } & QuotaBreach)> {
    const over = await this.transaction((client) => postgresReserveBlob(client, input));
    return over ? { ok: false, ...over } : { ok: true };
  }

  async releaseBlob(blobId: string): Promise<void> {
    await this.pool.query('DELETE FROM blob_usage WHERE blob_id = $1', [blobId]);
  }

  async pruneSentLog(olderThan: number): Promise<number> {
    const result = await this.pool.query('DELETE FROM sent_log WHERE created_at < $1', [olderThan]);
    return result.rowCount ?? 0;
  }

  changeRole(input: RoleChangeInput): Promise<RoleChangeResult> {
    return this.transaction(async (client): Promise<RoleChangeResult> => {
      const account = (
        await client.query<AccountRow>(
          `SELECT account_id, display_name, role, org, status FROM accounts
            WHERE account_id = $1 FOR UPDATE`,
          [input.accountId],
        )
      ).rows[0];
      if (!account) return { ok: false, reason: 'not_found' };
      if (account.status === 'revoked') return { ok: false, reason: 'revoked' };
      const from = account.role;
      if (from === input.role) return { ok: true, from, to: input.role };
      await client.query('UPDATE accounts SET role = $1 WHERE account_id = $2', [
        input.role,
        input.accountId,
      ]);
      const first = (
        await client.query<{ id: number | null }>(
          'SELECT MIN(device_id) AS id FROM devices WHERE account_id = $1',
          [input.accountId],
        )
      ).rows[0];
      await appendRelayRecordPostgres(client, {
        kind: 'account.role_changed',
        accountId: input.accountId,
        deviceId: first?.id ?? 1,
        now: input.now,
        details: { previousRole: from },
      });
      return { ok: true, from, to: input.role };
    });
  }

  // The practice audit trail (docs/protocol.md §13): postgres-audit.ts.
  patientKeys(org: string, accountId: string, deviceId: number): Promise<StoredPatientKeys> {
    return postgresPatientKeys(this.pool, org, accountId, deviceId);
  }

  patientKeyHolders(org: string): Promise<PatientKeyHolder[]> {
    return postgresPatientKeyHolders(this.pool, org);
  }

  storePatientKeys(upload: PatientKeyUpload): Promise<PatientKeyStoreResult> {
    return this.transaction((client) => postgresStorePatientKeys(client, upload));
  }

  listAuditReaders(
    org: string,
    roles: readonly string[],
  ): Promise<{ accountId: string; deviceId: number; identityKey: Uint8Array }[]> {
    return listAuditReadersPostgres(this.pool, org, roles);
  }

  appendAudit(input: AuditAppendInput): Promise<{ appended: number[]; duplicates: string[] }> {
    return this.transaction((client) => appendDeviceRecordsPostgres(client, input));
  }

  async readAudit(org: string, range: AuditReadRange): Promise<AuditPage> {
    const relayKey = (await signingKeyPostgres(this.pool)).publicKey;
    // One snapshot, so the anchor and the page agree even while retention runs on another node.
    return this.transaction(async (client) => {
      await client.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
      return {
        anchor: await auditAnchorPostgres(client, org),
        relayKey,
        records: await readAuditRecordsPostgres(client, org, range),
      };
    });
  }

  verifyAudit(org: string): Promise<AuditVerification> {
    return this.transaction(async (client) => {
      await client.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
      return verifyAuditChainPostgres(client, org);
    });
  }

  auditOrgs(): Promise<string[]> {
    return auditOrgsPostgres(this.pool);
  }

  pruneAudit(olderThan: number): Promise<number> {
    return this.transaction((client) => pruneAuditRecordsPostgres(client, olderThan));
  }

  async appendRelayAudit(input: RelayAuditInput): Promise<void> {
    await this.transaction((client) => appendRelayRecordPostgres(client, input));
  }

  async close(): Promise<void> {
    await this.cluster.close();
    await this.pool.end();
  }
}
