import { randomUUID } from 'node:crypto';
import type { PoolClient } from 'pg';
import { MessengerError } from '../../shared/errors.js';
import { protocolLimits } from '../../shared/protocol/index.js';
import type {
  AccountRecord,
  CodeCheck,
  IssueCodeInput,
  IssuedCode,
  KeyUpload,
  RedeemInput,
  RedeemResult,
  RevokedDevice,
  RevokeInput,
  StoredBundle,
} from './relay-storage.js';
import { breach, lockOrgQuota, postgresOrgQuota, postgresOrgUsage } from './org-quota.js';
import { toAccount, type AccountRow } from './postgres-rows.js';
import { appendRelayRecordPostgres } from './postgres-audit.js';

// Multi-statement writes of the PostgreSQL backend, the counterparts of sqlite-writes.ts. Each
// runs inside a transaction opened by its caller.

/** The channel on which a committed revocation wakes every node's revocation reader. */
export const revokedChannel = 'pmsg_revoked';
const revocationLock = 0x706d7372;

export async function issueCode(client: PoolClient, input: IssueCodeInput): Promise<IssuedCode> {
  let account: AccountRecord;
  if ('accountId' in input.account) {
    const found = (
      await client.query<AccountRow>(
        `SELECT account_id, display_name, role, org, status, gmc_number, nmc_pin, sds_user_id
           FROM accounts WHERE account_id = $1 FOR UPDATE`,
        [input.account.accountId],
      )
    ).rows[0];
    if (!found || found.status === 'revoked') {
      throw new MessengerError(
        'not_found',
        `No account ${input.account.accountId} that can take another device (unknown or revoked).`,
      );
    }
    account = toAccount(found);
  } else {
    account = { ...input.account, accountId: randomUUID(), status: 'pending' };
    await client.query(
      `INSERT INTO accounts (account_id, org, display_name, role, status, created_at,
                             gmc_number, nmc_pin, sds_user_id)
       VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7, $8)`,
      [
        account.accountId,
        account.org,
        account.displayName,
        account.role,
        input.now,
        account.gmcNumber ?? null,
        account.nmcPin ?? null,
        account.sdsUserId ?? null,
      ],
    );
  }
  await client.query(
    'INSERT INTO enrolment_codes (code_hash, account_id, created_at, expires_at) VALUES ($1, $2, $3, $4)',
    [Buffer.from(input.codeHash), account.accountId, input.now, input.expiresAt],
  );
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
}

export async function checkCodePostgres(
  client: Pick<PoolClient, 'query'>,
  codeHash: Uint8Array,
  now: number,
  lock = false,
): Promise<CodeCheck> {
  const code = (
    await client.query<{ account_id: string; expires_at: number; used_at: number | null }>(
      `SELECT account_id, expires_at, used_at FROM enrolment_codes WHERE code_hash = $1
       ${lock ? 'FOR UPDATE' : ''}`,
      [Buffer.from(codeHash)],
    )
  ).rows[0];
  if (!code) return { ok: false, reason: 'invalid' };
  if (code.used_at !== null) return { ok: false, reason: 'used' };
  if (code.expires_at <= now) return { ok: false, reason: 'expired' };
  return { ok: true, accountId: code.account_id };
}

export async function redeemPostgres(
  client: PoolClient,
  input: RedeemInput,
): Promise<RedeemResult> {
  // The same enrolment sent again after its answer was lost (see sqlite-writes.ts).
  const replayed = (
    await client.query<AccountRow & { device_id: number; identity_key: Buffer }>(
      `SELECT d.device_id, d.identity_key, a.account_id, a.display_name, a.role, a.org, a.status
         FROM devices d JOIN accounts a ON a.account_id = d.account_id
        WHERE d.token_hash = $1 AND d.status = 'active' AND a.status = 'active'`,
      [Buffer.from(input.tokenHash)],
    )
  ).rows[0];
  if (replayed && replayed.identity_key.equals(input.keys.identityKey)) {
    const { gmcNumber: _g, nmcPin: _n, sdsUserId: _s, ...account } = toAccount(replayed);
    return { ok: true, deviceId: replayed.device_id, account };
  }
  // Locking the code makes two redemptions of one code run one after the other.
  const code = await checkCodePostgres(client, input.codeHash, input.now, true);
  if (!code.ok) return code;
  const account = (
    await client.query<AccountRow>(
      'SELECT account_id, display_name, role, org, status FROM accounts WHERE account_id = $1 FOR UPDATE',
      [code.accountId],
    )
  ).rows[0];
  if (!account || account.status === 'revoked') return { ok: false, reason: 'account_revoked' };
  // Device ids are never reused, so a sender can never mistake a new device for an old one.
  const max = await client.query<{ max: number }>(
    'SELECT COALESCE(MAX(device_id), 0) AS max FROM devices WHERE account_id = $1',
    [account.account_id],
  );
  const deviceId = (max.rows[0]?.max ?? 0) + 1;
  if (deviceId > protocolLimits.maxDeviceId) return { ok: false, reason: 'device_limit' };
  const quota = await postgresOrgQuota(client, account.org);
  if (quota.maxDevices !== null) {
    await lockOrgQuota(client, account.org);
    const usage = await postgresOrgUsage(client, account.org, input.now);
    const overQuota = breach(quota, usage, { devices: 1 });
    if (overQuota) return { ok: false, reason: 'org_quota', ...overQuota };
  }
  const keys = input.keys;
  const inserted = await client.query<{ device_pk: number }>(
    `INSERT INTO devices (account_id, device_id, name, registration_id, identity_key, token_hash,
         status, signed_pre_key_id, signed_pre_key, signed_pre_key_signature,
         kyber_last_resort_id, kyber_last_resort, kyber_last_resort_signature, created_at, last_seen_at)
     VALUES ($1, $2, $3, $4, $5, $6, 'active', $7, $8, $9, $10, $11, $12, $13, $13)
     RETURNING device_pk`,
    [
      account.account_id,
      deviceId,
      input.deviceName,
      keys.registrationId,
      Buffer.from(keys.identityKey),
      Buffer.from(input.tokenHash),
      keys.signedPreKey.keyId,
      Buffer.from(keys.signedPreKey.publicKey),
      Buffer.from(keys.signedPreKey.signature),
      keys.kyberLastResortPreKey.keyId,
      Buffer.from(keys.kyberLastResortPreKey.publicKey),
      Buffer.from(keys.kyberLastResortPreKey.signature),
      input.now,
    ],
  );
  const devicePk = inserted.rows[0]!.device_pk;
  await storeOneTimeKeys(client, devicePk, keys);
  await client.query(
    'UPDATE enrolment_codes SET used_at = $1, used_by_device_pk = $2 WHERE code_hash = $3',
    [input.now, devicePk, Buffer.from(input.codeHash)],
  );
  await client.query("UPDATE accounts SET status = 'active' WHERE account_id = $1", [
    account.account_id,
  ]);
  const { gmcNumber: _g, nmcPin: _n, sdsUserId: _s, ...active } = toAccount(account);
  return { ok: true, deviceId, account: { ...active, status: 'active' } };
}

/** One-time keys (insert or replace) and, when given, the rotated signed keys of a device. */
export async function storeOneTimeKeys(
  client: PoolClient,
  devicePk: number,
  keys: KeyUpload,
): Promise<void> {
  const pre = keys.preKeys ?? [];
  if (pre.length > 0) {
    await client.query(
      `INSERT INTO pre_keys (device_pk, key_id, public_key)
       SELECT $1, k, p FROM unnest($2::int[], $3::bytea[]) AS u (k, p)
       ON CONFLICT (device_pk, key_id) DO UPDATE SET public_key = EXCLUDED.public_key`,
      [devicePk, pre.map((k) => k.keyId), pre.map((k) => Buffer.from(k.publicKey))],
    );
  }
  const kyber = keys.kyberPreKeys ?? [];
  if (kyber.length > 0) {
    await client.query(
      `INSERT INTO kyber_pre_keys (device_pk, key_id, public_key, signature)
       SELECT $1, k, p, s FROM unnest($2::int[], $3::bytea[], $4::bytea[]) AS u (k, p, s)
       ON CONFLICT (device_pk, key_id)
       DO UPDATE SET public_key = EXCLUDED.public_key, signature = EXCLUDED.signature`,
      [
        devicePk,
        kyber.map((k) => k.keyId),
        kyber.map((k) => Buffer.from(k.publicKey)),
        kyber.map((k) => Buffer.from(k.signature)),
      ],
    );
  }
  if (keys.signedPreKey) {
    const k = keys.signedPreKey;
    await client.query(
      'UPDATE devices SET signed_pre_key_id = $1, signed_pre_key = $2, signed_pre_key_signature = $3 WHERE device_pk = $4',
      [k.keyId, Buffer.from(k.publicKey), Buffer.from(k.signature), devicePk],
    );
  }
  if (keys.kyberLastResortPreKey) {
    const k = keys.kyberLastResortPreKey;
    await client.query(
      'UPDATE devices SET kyber_last_resort_id = $1, kyber_last_resort = $2, kyber_last_resort_signature = $3 WHERE device_pk = $4',
      [k.keyId, Buffer.from(k.publicKey), Buffer.from(k.signature), devicePk],
    );
  }
}

export async function takeBundlesPostgres(
  client: PoolClient,
  accountId: string,
  deviceId: number | null,
): Promise<StoredBundle[]> {
  const devices = await client.query<{
    device_pk: number;
    device_id: number;
    registration_id: number;
    identity_key: Buffer;
    signed_pre_key_id: number;
    signed_pre_key: Buffer;
    signed_pre_key_signature: Buffer;
    kyber_last_resort_id: number;
    kyber_last_resort: Buffer;
    kyber_last_resort_signature: Buffer;
  }>(
    `SELECT device_pk, device_id, registration_id, identity_key, signed_pre_key_id, signed_pre_key,
            signed_pre_key_signature, kyber_last_resort_id, kyber_last_resort, kyber_last_resort_signature
       FROM devices WHERE account_id = $1 AND status = 'active' AND ($2::int IS NULL OR device_id = $2)
      ORDER BY device_id`,
    [accountId, deviceId],
  );
  const bundles: StoredBundle[] = [];
  for (const d of devices.rows) {
    // DELETE ... RETURNING the lowest key: two fetches on two nodes never get the same prekey.
    const preKey = (
      await client.query<{ key_id: number; public_key: Buffer }>(
        `DELETE FROM pre_keys WHERE (device_pk, key_id) = (
           SELECT device_pk, key_id FROM pre_keys WHERE device_pk = $1
            ORDER BY key_id LIMIT 1 FOR UPDATE SKIP LOCKED)
         RETURNING key_id, public_key`,
        [d.device_pk],
      )
    ).rows[0];
    const kyber = (
      await client.query<{ key_id: number; public_key: Buffer; signature: Buffer }>(
        `DELETE FROM kyber_pre_keys WHERE (device_pk, key_id) = (
           SELECT device_pk, key_id FROM kyber_pre_keys WHERE device_pk = $1
            ORDER BY key_id LIMIT 1 FOR UPDATE SKIP LOCKED)
         RETURNING key_id, public_key, signature`,
        [d.device_pk],
      )
    ).rows[0];
    bundles.push({
      deviceId: d.device_id,
      registrationId: d.registration_id,
      identityKey: d.identity_key,
      signedPreKey: {
        keyId: d.signed_pre_key_id,
        publicKey: d.signed_pre_key,
        signature: d.signed_pre_key_signature,
      },
      preKey: preKey ? { keyId: preKey.key_id, publicKey: preKey.public_key } : null,
      kyberPreKey: kyber
        ? { keyId: kyber.key_id, publicKey: kyber.public_key, signature: kyber.signature }
        : {
            keyId: d.kyber_last_resort_id,
            publicKey: d.kyber_last_resort,
            signature: d.kyber_last_resort_signature,
          },
      kyberPreKeyIsLastResort: !kyber,
    });
  }
  return bundles;
}

export async function revokePostgres(
  client: PoolClient,
  input: RevokeInput,
): Promise<RevokedDevice[]> {
  const devices = await client.query<{
    device_pk: number;
    device_id: number;
    status: string;
    wipe: boolean;
  }>(
    `SELECT device_pk, device_id, status, wipe FROM devices
      WHERE account_id = $1 AND ($2::int IS NULL OR device_id = $2) ORDER BY device_pk FOR UPDATE`,
    [input.accountId, input.deviceId],
  );
  // Revocations are rare: taking them one at a time keeps their seq in commit order, so a node
  // reading past the last seq it saw can never skip one committed late.
  await client.query('SELECT pg_advisory_xact_lock($1)', [revocationLock]);
  const revoked: RevokedDevice[] = [];
  for (const d of devices.rows) {
    const wipe = d.wipe || input.wipe;
    // Revoking again may add the wipe flag; otherwise it changes nothing and records nothing.
    if (d.status === 'revoked' && d.wipe === wipe) continue;
    await client.query(
      `UPDATE devices SET status = 'revoked', wipe = $1, revoked_at = COALESCE(revoked_at, $2)
        WHERE device_pk = $3`,
      [wipe, input.now, d.device_pk],
    );
    if (input.removedBy) {
      await client.query(
        'UPDATE devices SET removed_by_device_id = $1, removed_by_device_name = $2 WHERE device_pk = $3',
        [input.removedBy.deviceId, input.removedBy.name, d.device_pk],
      );
    }
    // Nothing queued for a revoked device can ever be delivered, and its prekeys must not be handed out.
    for (const table of ['envelopes', 'pre_keys', 'kyber_pre_keys']) {
      await client.query(`DELETE FROM ${table} WHERE device_pk = $1`, [d.device_pk]);
    }
    await client.query('INSERT INTO revocations (device_pk, created_at) VALUES ($1, $2)', [
      d.device_pk,
      input.now,
    ]);
    // The practice trail records each revocation in the same transaction (§13).
    await appendRelayRecordPostgres(client, {
      kind: 'device.revoked',
      accountId: input.accountId,
      deviceId: d.device_id,
      now: input.now,
      details: { wipe },
    });
    revoked.push({
      devicePk: d.device_pk,
      accountId: input.accountId,
      deviceId: d.device_id,
      wipe,
      removedBy: input.removedBy ?? null,
    });
  }
  if (input.deviceId === null) {
    await client.query(
      "UPDATE accounts SET status = 'revoked', revoked_at = COALESCE(revoked_at, $1) WHERE account_id = $2",
      [input.now, input.accountId],
    );
  }
  if (revoked.length > 0) await client.query('SELECT pg_notify($1, $2)', [revokedChannel, '']);
  return revoked;
}
