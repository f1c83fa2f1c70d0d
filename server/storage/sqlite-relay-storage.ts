import { chmodSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3-multiple-ciphers';
import { prepared } from './prepared.js';
import { MessengerError } from '../../shared/errors.js';
import {
  sqlitePatientKeyHolders,
  sqlitePatientKeys,
  sqliteStorePatientKeys,
} from './sqlite-patient-keys.js';
import type {
  PatientKeyHolder,
  PatientKeyStoreResult,
  PatientKeyUpload,
  StoredPatientKeys,
} from './patient-key-rules.js';
import type { Role } from '../../shared/protocol/index.js';
import { migrate } from './sqlite-migrations.js';
import { runBatched, type BatchJob } from './group-commit.js';
import { WalSync } from './wal-sync.js';
import { checkCode, revokeDevices, redeemCode, takeBundles } from './sqlite-writes.js';
import { storageFailureKind } from './storage-failure.js';
import { enqueueNow } from './sqlite-enqueue.js';
import {
  sqliteOrgQuota,
  sqliteOrgUsage,
  sqliteReserveBlob,
  sqliteSetOrgQuota,
  type OrgQuota,
  type OrgUsage,
  type QuotaBreach,
} from './org-quota.js';
import { combineOutcomes, MultiEnqueueRefused, perAccountInputs } from './multi-enqueue.js';
import {
  appendDeviceRecords,
  appendRelayRecord,
  auditAnchor,
  auditOrgs,
  listAuditReaders,
  pruneAuditRecords,
  readAuditRecords,
  signingKey,
  verifyAuditChain,
  type AuditVerification,
} from './sqlite-audit.js';
import type {
  AccountRecord,
  BlobReservation,
  AuditAppendInput,
  AuditPage,
  AuditReadRange,
  CodeCheck,
  RelayAuditInput,
  RoleChangeInput,
  RoleChangeResult,
  AccountWithDevices,
  AccountDevice,
  AdminAccount,
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

export const relayDatabaseFile = 'relay.sqlite';

export interface SqliteOptions {
  /**
   * FULL (the default) fsyncs the WAL on every commit, so an envelope acknowledged with 200
   * survives a power cut, not just a process crash; NORMAL in WAL mode may lose the last commits
   * on power loss. Group commit keeps the cost of FULL to one fsync per batch of requests.
   */
  synchronous?: 'FULL' | 'NORMAL';
  /**
   * How long one attempt blocks on another process's write lock (5000 by default, for the admin
   * CLI). The server passes a few milliseconds, because the wait blocks its event loop.
   */
  busyTimeoutMs?: number;
  /**
   * How long a write keeps retrying, asynchronously, while the database stays locked, before
   * failing with SQLITE_BUSY (which the relay answers with 503 and Retry-After). Default 3000.
   */
  busyRetryMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The embedded default backend: one SQLite file in WAL mode inside the data directory. */
export class SqliteRelayStorage implements RelayStorage {
  readonly db: Database.Database;
  private pending: BatchJob[] = [];
  private flushScheduled = false;
  /** A group commit's WAL fsync is under way; the next batch waits for it. */
  private syncing = false;
  /** A batch waiting for another process's lock; later jobs queue behind it, in order. */
  private retrying: BatchJob[] | null = null;
  private readonly busyRetryMs: number;
  /** Set when synchronous is FULL: group commits are made durable by it, off the event loop. */
  private readonly walSync: WalSync | null;
  /** The acks waiting for the next group commit, deleted by one job of it. */
  private acks: {
    entries: { devicePk: number; ids: readonly number[] }[];
    removed: Promise<number[]>;
  } | null = null;

  constructor(dataDir: string, options: SqliteOptions = {}) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const file = path.join(dataDir, relayDatabaseFile);
    this.db = new Database(file);
    chmodSync(file, 0o600);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
    // The admin CLI writes to the same file while the server runs; wait for its lock, don't fail.
    this.db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    this.busyRetryMs = options.busyRetryMs ?? 3000;
    this.db.pragma('foreign_keys = ON');
    migrate(this.db);
    this.walSync = (options.synchronous ?? 'FULL') === 'FULL' ? new WalSync(file) : null;
  }

  /** Runs write work in the next group commit: one transaction and one fsync for many callers. */
  private batched<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ work, resolve: resolve as (value: unknown) => void, reject });
      this.scheduleFlush();
    });
  }

  /**
   * The next group commit starts once the previous one is durable: the jobs that arrive while
   * its WAL fsync runs (off the event loop) make up the next batch, so batches widen to the
   * fsync's length instead of many small commits each writing the same pages again.
   */
  private scheduleFlush(): void {
    if (this.flushScheduled || this.retrying !== null || this.syncing) return;
    if (this.pending.length === 0) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      const jobs = this.pending;
      this.pending = [];
      this.flush(jobs, performance.now() + this.busyRetryMs, 5);
    });
  }

  private flush(jobs: BatchJob[], deadline: number, wait: number): void {
    try {
      const settle = this.commitBatch(jobs);
      if (this.walSync) {
        this.syncing = true;
        void this.walSync
          .sync()
          .then(() => settle(), settle)
          .finally(() => {
            this.syncing = false;
            this.scheduleFlush();
          });
        return;
      }
      settle();
    } catch (error) {
      if (storageFailureKind(error) === 'busy' && performance.now() + wait < deadline) {
        this.retrying = jobs;
        setTimeout(() => {
          const all = [...(this.retrying ?? []), ...this.pending];
          this.retrying = null;
          this.pending = [];
          if (all.length > 0) this.flush(all, deadline, Math.min(wait * 2, 100));
        }, wait);
        return;
      }
      for (const job of jobs) job.reject(error);
    }
    this.scheduleFlush();
  }

  /**
   * With synchronous=FULL the group commit itself runs with NORMAL (the WAL is written but not
   * fsynced inside COMMIT), and flush() settles the callers only after WalSync has fsynced the
   * WAL: each caller still hears of its write only once it is on disk, as with FULL, but the
   * fsync no longer blocks the event loop, which meanwhile parses requests and pushes frames.
   * Checkpoints sync the WAL and database under NORMAL too. Every other write keeps FULL.
   */
  private commitBatch(jobs: BatchJob[]): (failure?: unknown) => void {
    if (!this.walSync) return runBatched(this.db, jobs);
    this.db.pragma('synchronous = NORMAL');
    try {
      return runBatched(this.db, jobs);
    } finally {
      this.db.pragma('synchronous = FULL');
    }
  }

  /**
   * Runs a synchronous write; while another process holds the lock, tries again after a growing
   * pause instead of blocking the event loop, until busyRetryMs has passed.
   */
  private async write<T>(op: () => T): Promise<T> {
    const deadline = performance.now() + this.busyRetryMs;
    for (let wait = 5; ; wait = Math.min(wait * 2, 100)) {
      try {
        return op();
      } catch (error) {
        if (storageFailureKind(error) !== 'busy' || performance.now() + wait >= deadline) {
          throw error;
        }
      }
      await sleep(wait);
    }
  }

  async issueEnrolmentCode(input: IssueCodeInput): Promise<IssuedCode> {
    return this.write(() => this.issueNow(input));
  }

  private issueNow(input: IssueCodeInput): IssuedCode {
    return this.db
      .transaction((): IssuedCode => {
        let account: AccountRecord;
        if ('accountId' in input.account) {
          const found = this.accountRow(input.account.accountId);
          if (!found || found.status === 'revoked') {
            throw new MessengerError(
              'not_found',
              `No account ${input.account.accountId} that can take another device (unknown or revoked).`,
            );
          }
          account = found;
        } else {
          account = { ...input.account, accountId: randomUUID(), status: 'pending' };
          prepared(
            this.db,
            `INSERT INTO accounts (account_id, org, display_name, role, status, created_at,
                 gmc_number, nmc_pin, sds_user_id)
               VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?)`,
          ).run(
            account.accountId,
            account.org,
            account.displayName,
            account.role,
            input.now,
            account.gmcNumber ?? null,
            account.nmcPin ?? null,
            account.sdsUserId ?? null,
          );
        }
        prepared(
          this.db,
          'INSERT INTO enrolment_codes (code_hash, account_id, created_at, expires_at) VALUES (?, ?, ?, ?)',
        ).run(input.codeHash, account.accountId, input.now, input.expiresAt);
        const { accountId, displayName, role, org, gmcNumber, nmcPin, sdsUserId } = account;
        return {
          accountId,
          displayName,
          role,
          org,
          ...(gmcNumber ? { gmcNumber } : {}),
          ...(nmcPin ? { nmcPin } : {}),
          ...(sdsUserId ? { sdsUserId } : {}),
        };
      })
      .immediate();
  }

  async redeemEnrolmentCode(input: RedeemInput): Promise<RedeemResult> {
    return this.write(() => this.db.transaction(() => redeemCode(this.db, input)).immediate());
  }

  async checkEnrolmentCode(codeHash: Uint8Array, now: number): Promise<CodeCheck> {
    return checkCode(this.db, codeHash, now);
  }

  async findDeviceByTokenHash(tokenHash: Uint8Array): Promise<DeviceRecord | null> {
    const row = prepared(
      this.db,
      `SELECT d.device_pk, d.account_id, d.device_id, d.registration_id, d.identity_key, d.token_hash, d.status AS device_status,
                d.wipe, d.removed_by_device_id, d.removed_by_device_name, a.display_name, a.role, a.org, a.status AS account_status
         FROM devices d JOIN accounts a USING (account_id) WHERE d.token_hash = ?`,
    ).get(tokenHash) as DeviceRow | undefined;
    if (!row) return null;
    return {
      devicePk: row.device_pk,
      accountId: row.account_id,
      deviceId: row.device_id,
      registrationId: row.registration_id,
      identityKey: row.identity_key,
      tokenHash: row.token_hash,
      status: row.device_status,
      wipe: row.wipe === 1,
      removedBy:
        row.removed_by_device_id === null
          ? null
          : { deviceId: row.removed_by_device_id, name: row.removed_by_device_name },
      account: {
        accountId: row.account_id,
        displayName: row.display_name,
        role: row.role,
        org: row.org,
        status: row.account_status,
      },
    };
  }

  async markWipeDelivered(devicePk: number, at: number): Promise<void> {
    await this.write(() =>
      this.db
        .transaction(() => {
          const changed = prepared(
            this.db,
            'UPDATE devices SET wipe_delivered_at = ? WHERE device_pk = ? AND wipe_delivered_at IS NULL',
          ).run(at, devicePk).changes;
          const device = prepared(
            this.db,
            'SELECT account_id, device_id FROM devices WHERE device_pk = ?',
          ).get(devicePk) as { account_id: string; device_id: number } | undefined;
          // Told once: the device has been sent its wipe order (§13).
          if (changed > 0 && device) {
            appendRelayRecord(this.db, {
              kind: 'device.wiped',
              accountId: device.account_id,
              deviceId: device.device_id,
              now: at,
            });
          }
        })
        .immediate(),
    );
  }

  async touchDevice(devicePk: number, at: number): Promise<void> {
    // In the group commit: 200 devices connecting (or leaving) at once were 200 fsyncs, each
    // blocking the event loop (1.4 s of the relay benchmark's profile).
    await this.batched(() =>
      prepared(this.db, 'UPDATE devices SET last_seen_at = ? WHERE device_pk = ?').run(
        at,
        devicePk,
      ),
    );
  }

  async getAccount(accountId: string): Promise<AccountRecord | null> {
    return this.accountRow(accountId);
  }

  private accountRow(accountId: string): AccountRecord | null {
    const row = prepared(
      this.db,
      `SELECT account_id, display_name, role, org, status, gmc_number, nmc_pin, sds_user_id
         FROM accounts WHERE account_id = ?`,
    ).get(accountId) as AccountRow | undefined;
    return row ? toAccount(row) : null;
  }

  async listDirectory(org: string): Promise<AccountWithDevices[]> {
    const rows = prepared(
      this.db,
      `SELECT a.account_id, a.display_name, a.role, a.org, a.status, a.gmc_number, a.nmc_pin,
              a.sds_user_id, d.device_id, d.registration_id, d.name AS device_name
         FROM accounts a JOIN devices d USING (account_id)
         WHERE a.org = ? AND a.status = 'active' AND d.status = 'active'
         ORDER BY a.display_name, a.account_id, d.device_id`,
    ).all(org) as (AccountRow & {
      device_id: number;
      registration_id: number;
      device_name: string | null;
    })[];
    const byId = new Map<string, AccountWithDevices>();
    for (const row of rows) {
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
    const rows = prepared(
      this.db,
      `SELECT device_id, name, created_at, last_seen_at FROM devices
         WHERE account_id = ? AND status = 'active' ORDER BY device_id`,
    ).all(accountId) as {
      device_id: number;
      name: string | null;
      created_at: number;
      last_seen_at: number | null;
    }[];
    return rows.map((d) => ({
      deviceId: d.device_id,
      name: d.name,
      createdAt: d.created_at,
      lastSeenAt: d.last_seen_at,
    }));
  }

  async listAllAccounts(): Promise<AdminAccount[]> {
    const accounts = prepared(
      this.db,
      'SELECT account_id, display_name, role, org, status, created_at FROM accounts ORDER BY org, display_name',
    ).all() as (AccountRow & { created_at: number })[];
    const devices = prepared(
      this.db,
      `SELECT device_id, name, status, wipe, wipe_delivered_at, created_at, last_seen_at,
              (SELECT COUNT(*) FROM envelopes e WHERE e.device_pk = d.device_pk) AS queued
       FROM devices d WHERE account_id = ? ORDER BY device_id`,
    );
    const codes = prepared(
      this.db,
      'SELECT expires_at FROM enrolment_codes WHERE account_id = ? AND used_at IS NULL AND expires_at > ?',
    );
    const now = Date.now();
    return accounts.map((row) => ({
      ...toAccount(row),
      createdAt: row.created_at,
      devices: (devices.all(row.account_id) as AdminDeviceRow[]).map((d) => ({
        deviceId: d.device_id,
        name: d.name,
        status: d.status,
        wipe: d.wipe === 1,
        wipeDeliveredAt: d.wipe_delivered_at,
        createdAt: d.created_at,
        lastSeenAt: d.last_seen_at,
        queued: d.queued,
      })),
      pendingCodes: (codes.all(row.account_id, now) as { expires_at: number }[]).map((c) => ({
        expiresAt: c.expires_at,
      })),
    }));
  }

  async takePreKeyBundles(accountId: string, deviceId: number | null): Promise<StoredBundle[]> {
    return this.write(() =>
      this.db.transaction(() => takeBundles(this.db, accountId, deviceId)).immediate(),
    );
  }

  async countPreKeys(devicePk: number): Promise<{ preKeys: number; kyberPreKeys: number }> {
    const count = (table: string) =>
      prepared(this.db, `SELECT COUNT(*) FROM ${table} WHERE device_pk = ?`)
        .pluck()
        .get(devicePk) as number;
    return { preKeys: count('pre_keys'), kyberPreKeys: count('kyber_pre_keys') };
  }

  async storeKeys(devicePk: number, keys: KeyUpload): Promise<void> {
    await this.write(() => this.storeKeysNow(devicePk, keys));
  }

  private storeKeysNow(devicePk: number, keys: KeyUpload): void {
    this.db
      .transaction(() => {
        const insertPreKey = prepared(
          this.db,
          'INSERT OR REPLACE INTO pre_keys (device_pk, key_id, public_key) VALUES (?, ?, ?)',
        );
        for (const key of keys.preKeys ?? []) insertPreKey.run(devicePk, key.keyId, key.publicKey);
        const insertKyber = prepared(
          this.db,
          'INSERT OR REPLACE INTO kyber_pre_keys (device_pk, key_id, public_key, signature) VALUES (?, ?, ?, ?)',
        );
        for (const key of keys.kyberPreKeys ?? []) {
          insertKyber.run(devicePk, key.keyId, key.publicKey, key.signature);
        }
        if (keys.signedPreKey) {
          const k = keys.signedPreKey;
          prepared(
            this.db,
            'UPDATE devices SET signed_pre_key_id = ?, signed_pre_key = ?, signed_pre_key_signature = ? WHERE device_pk = ?',
          ).run(k.keyId, k.publicKey, k.signature, devicePk);
        }
        if (keys.kyberLastResortPreKey) {
          const k = keys.kyberLastResortPreKey;
          prepared(
            this.db,
            'UPDATE devices SET kyber_last_resort_id = ?, kyber_last_resort = ?, kyber_last_resort_signature = ? WHERE device_pk = ?',
          ).run(k.keyId, k.publicKey, k.signature, devicePk);
        }
      })
      .immediate();
  }

  enqueue(input: EnqueueInput): Promise<EnqueueResult> {
    return this.batched(() => enqueueNow(this.db, input));
  }

  async enqueueMulti(input: MultiEnqueueInput): Promise<MultiEnqueueResult> {
    try {
      // The batch runs this job in its own savepoint: throwing rolls back every account's copies.
      return await this.batched(() => {
        const outcomes = perAccountInputs(input).map((one) => ({
          accountId: one.recipientAccountId,
          result: enqueueNow(this.db, one),
        }));
        const combined = combineOutcomes(outcomes);
        if (!combined.ok) throw new MultiEnqueueRefused(combined);
        return combined;
      });
    } catch (error) {
      if (error instanceof MultiEnqueueRefused) return error.result;
      throw error;
    }
  }

  async fetchQueue(devicePk: number, afterId: number, limit: number): Promise<StoredEnvelope[]> {
    const rows = prepared(
      this.db,
      `SELECT id, sender_account_id, sender_device_id, client_message_id, type, content,
                client_timestamp, server_timestamp
         FROM envelopes WHERE device_pk = ? AND id > ? ORDER BY id LIMIT ?`,
    ).all(devicePk, afterId, limit) as EnvelopeRow[];
    return rows.map((row) => ({
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
    // Every ack waiting for the next group commit shares one job (one savepoint), rather than a
    // savepoint each: the profile showed savepoints costing as much as the deletes.
    if (!this.acks) {
      const acks: { devicePk: number; ids: readonly number[] }[] = [];
      this.acks = {
        entries: acks,
        removed: this.batched(() => {
          // Later acks go to the next job; a retried batch deletes these same entries again.
          if (this.acks?.entries === acks) this.acks = null;
          const remove = prepared(this.db, 'DELETE FROM envelopes WHERE device_pk = ? AND id = ?');
          return acks.map((ack) => {
            let removed = 0;
            for (const id of ack.ids) removed += remove.run(ack.devicePk, id).changes;
            return removed;
          });
        }),
      };
    }
    const index = this.acks.entries.push({ devicePk, ids }) - 1;
    return this.acks.removed.then((removed) => removed[index]!);
  }

  async revoke(input: RevokeInput): Promise<RevokedDevice[]> {
    return this.write(() =>
      this.db
        .transaction(() => {
          const revoked = revokeDevices(this.db, input);
          // The practice trail records each revocation in the same transaction (§13).
          for (const device of revoked) {
            appendRelayRecord(this.db, {
              kind: 'device.revoked',
              accountId: device.accountId,
              deviceId: device.deviceId,
              now: input.now,
              details: { wipe: device.wipe },
            });
          }
          return revoked;
        })
        .immediate(),
    );
  }

  async changeRole(input: RoleChangeInput): Promise<RoleChangeResult> {
    return this.write(() =>
      this.db
        .transaction((): RoleChangeResult => {
          const account = this.accountRow(input.accountId);
          if (!account) return { ok: false, reason: 'not_found' };
          if (account.status === 'revoked') return { ok: false, reason: 'revoked' };
          const from = account.role;
          if (from === input.role) return { ok: true, from, to: input.role };
          prepared(this.db, 'UPDATE accounts SET role = ? WHERE account_id = ?').run(
            input.role,
            input.accountId,
          );
          const first = prepared(
            this.db,
            'SELECT MIN(device_id) AS id FROM devices WHERE account_id = ?',
          ).get(input.accountId) as { id: number | null };
          appendRelayRecord(this.db, {
            kind: 'account.role_changed',
            accountId: input.accountId,
            deviceId: first.id ?? 1,
            now: input.now,
            details: { previousRole: from },
          });
          return { ok: true, from, to: input.role };
        })
        .immediate(),
    );
  }

  async appendAudit(
    input: AuditAppendInput,
  ): Promise<{ appended: number[]; duplicates: string[] }> {
    return this.write(() =>
      this.db.transaction(() => appendDeviceRecords(this.db, input)).immediate(),
    );
  }

  async patientKeys(org: string, accountId: string, deviceId: number): Promise<StoredPatientKeys> {
    return sqlitePatientKeys(this.db, org, accountId, deviceId);
  }

  async patientKeyHolders(org: string): Promise<PatientKeyHolder[]> {
    return sqlitePatientKeyHolders(this.db, org);
  }

  async storePatientKeys(upload: PatientKeyUpload): Promise<PatientKeyStoreResult> {
    return this.write(() =>
      this.db.transaction(() => sqliteStorePatientKeys(this.db, upload)).immediate(),
    );
  }

  async listAuditReaders(
    org: string,
    roles: readonly string[],
  ): Promise<{ accountId: string; deviceId: number; identityKey: Uint8Array }[]> {
    return listAuditReaders(this.db, org, roles);
  }

  async appendRelayAudit(input: RelayAuditInput): Promise<void> {
    await this.write(() =>
      this.db.transaction(() => appendRelayRecord(this.db, input)).immediate(),
    );
  }

  async readAudit(org: string, range: AuditReadRange): Promise<AuditPage> {
    const relayKey = await this.write(() =>
      this.db.transaction(() => signingKey(this.db).publicKey).immediate(),
    );
    return {
      anchor: auditAnchor(this.db, org),
      relayKey,
      records: readAuditRecords(this.db, org, range),
    };
  }

  async verifyAudit(org: string): Promise<AuditVerification> {
    return verifyAuditChain(this.db, org);
  }

  async auditOrgs(): Promise<string[]> {
    return auditOrgs(this.db);
  }

  async pruneAudit(olderThan: number): Promise<number> {
    return this.write(() =>
      this.db.transaction(() => pruneAuditRecords(this.db, olderThan)).immediate(),
    );
  }

  async revocationsSince(seq: number): Promise<{ seq: number; devices: RevokedDevice[] }> {
    const rows = prepared(
      this.db,
      `SELECT r.seq, d.device_pk, d.account_id, d.device_id, d.wipe, d.removed_by_device_id,
              d.removed_by_device_name
         FROM revocations r JOIN devices d USING (device_pk) WHERE r.seq > ? ORDER BY r.seq`,
    ).all(seq) as {
      seq: number;
      device_pk: number;
      account_id: string;
      device_id: number;
      wipe: number;
      removed_by_device_id: number | null;
      removed_by_device_name: string | null;
    }[];
    return {
      seq: rows.at(-1)?.seq ?? seq,
      devices: rows.map((r) => ({
        devicePk: r.device_pk,
        accountId: r.account_id,
        deviceId: r.device_id,
        wipe: r.wipe === 1,
        removedBy:
          r.removed_by_device_id === null
            ? null
            : { deviceId: r.removed_by_device_id, name: r.removed_by_device_name },
      })),
    };
  }

  async pruneSentLog(olderThan: number): Promise<number> {
    return this.write(
      () => prepared(this.db, 'DELETE FROM sent_log WHERE created_at < ?').run(olderThan).changes,
    );
  }

  async orgQuota(org: string, now: number): Promise<{ quota: OrgQuota; usage: OrgUsage }> {
    return { quota: sqliteOrgQuota(this.db, org), usage: sqliteOrgUsage(this.db, org, now) };
  }

  async setOrgQuota(org: string, quota: OrgQuota): Promise<void> {
    await this.write(() => sqliteSetOrgQuota(this.db, org, quota));
  }

  async reserveBlob(input: BlobReservation): Promise<{ ok: true } | ({ ok: false } & QuotaBreach)> {
    const over = await this.write(() =>
      this.db.transaction(() => sqliteReserveBlob(this.db, input)).immediate(),
    );
    return over ? { ok: false, ...over } : { ok: true };
  }

  async releaseBlob(blobId: string): Promise<void> {
    await this.write(() =>
      prepared(this.db, 'DELETE FROM blob_usage WHERE blob_id = ?').run(blobId),
    );
  }

  async close(): Promise<void> {
    const jobs = [...(this.retrying ?? []), ...this.pending];
    this.retrying = null;
    this.pending = [];
    if (jobs.length > 0) {
      try {
        // FULL: this commit is durable when it returns.
        runBatched(this.db, jobs)();
      } catch (error) {
        for (const job of jobs) job.reject(error);
      }
    }
    await this.walSync?.close();
    if (this.db.open) this.db.close();
  }
}

interface AccountRow {
  account_id: string;
  display_name: string;
  role: Role;
  org: string;
  status: AccountRecord['status'];
  /** Only where the query selects them. */
  gmc_number?: string | null;
  nmc_pin?: string | null;
  sds_user_id?: string | null;
}
interface DeviceRow {
  device_pk: number;
  account_id: string;
  device_id: number;
  registration_id: number;
  identity_key: Buffer;
  token_hash: Buffer;
  device_status: 'active' | 'revoked';
  wipe: number;
  removed_by_device_id: number | null;
  removed_by_device_name: string | null;
  display_name: string;
  role: Role;
  org: string;
  account_status: AccountRecord['status'];
}
interface AdminDeviceRow {
  device_id: number;
  name: string | null;
  status: 'active' | 'revoked';
  wipe: number;
  wipe_delivered_at: number | null;
  created_at: number;
  last_seen_at: number | null;
  queued: number;
}
interface EnvelopeRow {
  id: number;
  sender_account_id: string;
  sender_device_id: number;
  client_message_id: string;
  type: number;
  content: Buffer;
  client_timestamp: number | null;
  server_timestamp: number;
}

function toAccount(row: AccountRow): AccountRecord {
  return {
    accountId: row.account_id,
    displayName: row.display_name,
    role: row.role,
    org: row.org,
    status: row.status,
    ...(row.gmc_number ? { gmcNumber: row.gmc_number } : {}),
    ...(row.nmc_pin ? { nmcPin: row.nmc_pin } : {}),
    ...(row.sds_user_id ? { sdsUserId: row.sds_user_id } : {}),
  };
}
