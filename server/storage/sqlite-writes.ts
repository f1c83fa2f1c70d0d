import type { Database } from 'better-sqlite3-multiple-ciphers';
import { breach, sqliteOrgQuota, sqliteOrgUsage } from './org-quota.js';
import { prepared } from './prepared.js';
import { protocolLimits, type Role } from '../../shared/protocol/index.js';
import type {
  AccountRecord,
  CodeCheck,
  RedeemInput,
  RedeemResult,
  RevokedDevice,
  RevokeInput,
  StoredBundle,
} from './relay-storage.js';

// Multi-statement writes of the SQLite backend. Each function expects to run inside an
// IMMEDIATE transaction opened by its caller.

/** Whether a code could be redeemed now: a read, so enrolment can refuse before costly checks. */
export function checkCode(db: Database, codeHash: Uint8Array, now: number): CodeCheck {
  const code = prepared(
    db,
    'SELECT account_id, expires_at, used_at FROM enrolment_codes WHERE code_hash = ?',
  ).get(codeHash) as { account_id: string; expires_at: number; used_at: number | null } | undefined;
  if (!code) return { ok: false, reason: 'invalid' };
  if (code.used_at !== null) return { ok: false, reason: 'used' };
  if (code.expires_at <= now) return { ok: false, reason: 'expired' };
  return { ok: true, accountId: code.account_id };
}

export function redeemCode(db: Database, input: RedeemInput): RedeemResult {
  const replayed = replayedEnrolment(db, input);
  if (replayed) return replayed;
  const code = checkCode(db, input.codeHash, input.now);
  if (!code.ok) return code;
  const account = prepared(
    db,
    'SELECT account_id, display_name, role, org, status FROM accounts WHERE account_id = ?',
  ).get(code.accountId) as
    | {
        account_id: string;
        display_name: string;
        role: Role;
        org: string;
        status: AccountRecord['status'];
      }
    | undefined;
  if (!account || account.status === 'revoked') return { ok: false, reason: 'account_revoked' };
  // Device ids are never reused, so a sender can never mistake a new device for an old one.
  const deviceId =
    (prepared(db, 'SELECT COALESCE(MAX(device_id), 0) FROM devices WHERE account_id = ?')
      .pluck()
      .get(account.account_id) as number) + 1;
  if (deviceId > protocolLimits.maxDeviceId) return { ok: false, reason: 'device_limit' };
  const quota = sqliteOrgQuota(db, account.org);
  if (quota.maxDevices !== null) {
    const overQuota = breach(quota, sqliteOrgUsage(db, account.org, input.now), { devices: 1 });
    if (overQuota) return { ok: false, reason: 'org_quota', ...overQuota };
  }

  const keys = input.keys;
  const devicePk = Number(
    prepared(
      db,
      `INSERT INTO devices (account_id, device_id, name, registration_id, identity_key, token_hash,
           status, signed_pre_key_id, signed_pre_key, signed_pre_key_signature,
           kyber_last_resort_id, kyber_last_resort, kyber_last_resort_signature, created_at, last_seen_at)
         VALUES (?, ?, ?, ?, ?, ?, 'active', ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      account.account_id,
      deviceId,
      input.deviceName,
      keys.registrationId,
      keys.identityKey,
      input.tokenHash,
      keys.signedPreKey.keyId,
      keys.signedPreKey.publicKey,
      keys.signedPreKey.signature,
      keys.kyberLastResortPreKey.keyId,
      keys.kyberLastResortPreKey.publicKey,
      keys.kyberLastResortPreKey.signature,
      input.now,
      input.now,
    ).lastInsertRowid,
  );
  const insertPreKey = prepared(
    db,
    'INSERT OR REPLACE INTO pre_keys (device_pk, key_id, public_key) VALUES (?, ?, ?)',
  );
  for (const key of keys.preKeys) insertPreKey.run(devicePk, key.keyId, key.publicKey);
  const insertKyber = prepared(
    db,
    'INSERT OR REPLACE INTO kyber_pre_keys (device_pk, key_id, public_key, signature) VALUES (?, ?, ?, ?)',
  );
  for (const key of keys.kyberPreKeys) {
    insertKyber.run(devicePk, key.keyId, key.publicKey, key.signature);
  }
  prepared(
    db,
    'UPDATE enrolment_codes SET used_at = ?, used_by_device_pk = ? WHERE code_hash = ?',
  ).run(input.now, devicePk, input.codeHash);
  prepared(db, "UPDATE accounts SET status = 'active' WHERE account_id = ?").run(
    account.account_id,
  );
  return {
    ok: true,
    deviceId,
    account: {
      accountId: account.account_id,
      displayName: account.display_name,
      role: account.role,
      org: account.org,
      status: 'active',
    },
  };
}

/**
 * The same enrolment sent again after its answer was lost: an active device already holds this
 * token and this identity key. Only the device that chose the token can know it, so this answers
 * as before without spending a code; public keys and a used code alone never match.
 */
function replayedEnrolment(db: Database, input: RedeemInput): RedeemResult | null {
  const device = prepared(
    db,
    `SELECT d.device_id, d.identity_key, a.account_id, a.display_name, a.role, a.org
       FROM devices d JOIN accounts a ON a.account_id = d.account_id
      WHERE d.token_hash = ? AND d.status = 'active' AND a.status = 'active'`,
  ).get(input.tokenHash) as
    | {
        device_id: number;
        identity_key: Buffer;
        account_id: string;
        display_name: string;
        role: Role;
        org: string;
      }
    | undefined;
  if (!device || !device.identity_key.equals(input.keys.identityKey)) return null;
  return {
    ok: true,
    deviceId: device.device_id,
    account: {
      accountId: device.account_id,
      displayName: device.display_name,
      role: device.role,
      org: device.org,
      status: 'active',
    },
  };
}

interface BundleDeviceRow {
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
}

export function takeBundles(
  db: Database,
  accountId: string,
  deviceId: number | null,
): StoredBundle[] {
  const devices = prepared(
    db,
    `SELECT device_pk, device_id, registration_id, identity_key, signed_pre_key_id, signed_pre_key,
              signed_pre_key_signature, kyber_last_resort_id, kyber_last_resort, kyber_last_resort_signature
       FROM devices WHERE account_id = ? AND status = 'active' AND (? IS NULL OR device_id = ?)
       ORDER BY device_id`,
  ).all(accountId, deviceId, deviceId) as BundleDeviceRow[];
  const nextPreKey = prepared(
    db,
    'SELECT key_id, public_key FROM pre_keys WHERE device_pk = ? ORDER BY key_id LIMIT 1',
  );
  const dropPreKey = prepared(db, 'DELETE FROM pre_keys WHERE device_pk = ? AND key_id = ?');
  const nextKyber = prepared(
    db,
    'SELECT key_id, public_key, signature FROM kyber_pre_keys WHERE device_pk = ? ORDER BY key_id LIMIT 1',
  );
  const dropKyber = prepared(db, 'DELETE FROM kyber_pre_keys WHERE device_pk = ? AND key_id = ?');
  return devices.map((d) => {
    const preKey = nextPreKey.get(d.device_pk) as
      { key_id: number; public_key: Buffer } | undefined;
    if (preKey) dropPreKey.run(d.device_pk, preKey.key_id);
    const kyber = nextKyber.get(d.device_pk) as
      { key_id: number; public_key: Buffer; signature: Buffer } | undefined;
    if (kyber) dropKyber.run(d.device_pk, kyber.key_id);
    return {
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
    };
  });
}

export function revokeDevices(db: Database, input: RevokeInput): RevokedDevice[] {
  const devices = prepared(
    db,
    `SELECT device_pk, device_id, status, wipe FROM devices
       WHERE account_id = ? AND (? IS NULL OR device_id = ?)`,
  ).all(input.accountId, input.deviceId, input.deviceId) as {
    device_pk: number;
    device_id: number;
    status: string;
    wipe: number;
  }[];
  const revoked: RevokedDevice[] = [];
  for (const d of devices) {
    const wipe = d.wipe === 1 || input.wipe;
    // Revoking again may add the wipe flag; otherwise it changes nothing and records nothing.
    if (d.status === 'revoked' && (d.wipe === 1) === wipe) continue;
    prepared(
      db,
      "UPDATE devices SET status = 'revoked', wipe = ?, revoked_at = COALESCE(revoked_at, ?) WHERE device_pk = ?",
    ).run(wipe ? 1 : 0, input.now, d.device_pk);
    if (input.removedBy) {
      prepared(
        db,
        'UPDATE devices SET removed_by_device_id = ?, removed_by_device_name = ? WHERE device_pk = ?',
      ).run(input.removedBy.deviceId, input.removedBy.name, d.device_pk);
    }
    // Nothing queued for a revoked device can ever be delivered, and its prekeys must not be handed out.
    prepared(db, 'DELETE FROM envelopes WHERE device_pk = ?').run(d.device_pk);
    prepared(db, 'DELETE FROM pre_keys WHERE device_pk = ?').run(d.device_pk);
    prepared(db, 'DELETE FROM kyber_pre_keys WHERE device_pk = ?').run(d.device_pk);
    prepared(db, 'INSERT INTO revocations (device_pk, created_at) VALUES (?, ?)').run(
      d.device_pk,
      input.now,
    );
    revoked.push({
      devicePk: d.device_pk,
      accountId: input.accountId,
      deviceId: d.device_id,
      wipe,
      removedBy: input.removedBy ?? null,
    });
  }
  if (input.deviceId === null) {
    // Unused codes of the account then fail as enrolment_code_invalid (see redeemCode).
    prepared(
      db,
      "UPDATE accounts SET status = 'revoked', revoked_at = COALESCE(revoked_at, ?) WHERE account_id = ?",
    ).run(input.now, input.accountId);
  }
  return revoked;
}
