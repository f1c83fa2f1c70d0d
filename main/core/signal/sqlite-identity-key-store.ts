import type { PrivateKey } from '@signalapp/libsignal-client';
import {
  Direction,
  IdentityChange,
  IdentityKeyPair,
  IdentityKeyStore,
  PublicKey,
  type ProtocolAddress,
} from '@signalapp/libsignal-client';
import { MessengerError } from '../../../shared/errors.js';
import type { SqlDatabase } from '../db/encrypted-database.js';
import { OwnIdentityRepository } from '../db/repositories/own-identity-repository.js';

/** How far a remote identity key is trusted. */
export type IdentityTrust = 'first_use' | 'acknowledged' | 'verified' | 'changed';

/** The identity key of one device of a person. */
export interface DeviceIdentity {
  readonly accountId: string;
  readonly deviceId: number;
  readonly identityKey: PublicKey;
  readonly trust: IdentityTrust;
  readonly firstSeenAt: number;
  readonly changedAt: number | null;
}

/** What we know of a person's devices: each device's key, and the person's trust. */
export interface RemoteIdentity {
  readonly accountId: string;
  /** Sorted by device id. */
  readonly devices: readonly DeviceIdentity[];
  /** 'changed' when any device's key changed unacknowledged; 'verified' when all are verified. */
  readonly trust: IdentityTrust;
}

interface RemoteIdentityRow {
  account_id: string;
  device_id: number;
  identity_key: Uint8Array<ArrayBuffer>;
  trust: IdentityTrust;
  first_seen_at: number;
  changed_at: number | null;
  removed_at: number | null;
}

export interface IdentityStoreOptions {
  readonly now?: () => number;
  /** Called when a stored identity key is replaced, so the conversation can be flagged. */
  readonly onIdentityChanged?: (accountId: string, deviceId: number) => void;
  /**
   * Called when a further device of a person already known appears (a colleague enrolled a
   * second PC): a notice, not a change of trust.
   */
  readonly onDeviceAdded?: (accountId: string, deviceId: number) => void;
}

/**
 * Our identity and other people's. Every device has its own identity key, so remote keys are
 * kept per (account, device) — the ProtocolAddress — while trust is the person's: trust on first
 * use per device; a further device of a known person is recorded and announced (onDeviceAdded);
 * a replaced key of a known device is 'changed', and sending to that person fails with
 * libsignal's UntrustedIdentity until the user acknowledges it. Receiving is always allowed, so
 * a message is never lost to an identity change.
 */
export class SqliteIdentityKeyStore extends IdentityKeyStore {
  private readonly own: OwnIdentityRepository;
  private readonly now: () => number;
  private readonly statements;
  private cachedPair: IdentityKeyPair | null = null;

  constructor(
    db: SqlDatabase,
    private readonly options: IdentityStoreOptions = {},
  ) {
    super();
    this.own = new OwnIdentityRepository(db);
    this.now = options.now ?? Date.now;
    this.statements = {
      get: db.prepare(
        'SELECT * FROM remote_device_identities WHERE account_id = ? AND device_id = ?',
      ),
      ofAccount: db.prepare(`SELECT * FROM remote_device_identities
          WHERE account_id = ? AND removed_at IS NULL ORDER BY device_id`),
      everSeen: db
        .prepare('SELECT 1 FROM remote_device_identities WHERE account_id = ? LIMIT 1')
        .pluck(),
      insert: db.prepare(`INSERT INTO remote_device_identities (account_id, device_id,
          identity_key, trust, first_seen_at) VALUES (?, ?, ?, 'first_use', ?)
          ON CONFLICT (account_id, device_id) DO UPDATE SET identity_key = excluded.identity_key,
            trust = 'first_use', first_seen_at = excluded.first_seen_at, changed_at = NULL,
            removed_at = NULL`),
      replace: db.prepare(`UPDATE remote_device_identities SET identity_key = ?,
          trust = 'changed', changed_at = ? WHERE account_id = ? AND device_id = ?`),
      acknowledge: db.prepare(`UPDATE remote_device_identities SET trust = 'acknowledged'
          WHERE account_id = ? AND trust = 'changed'`),
      acknowledgeDevice: db.prepare(`UPDATE remote_device_identities SET trust = 'acknowledged'
          WHERE account_id = ? AND device_id = ? AND trust = 'changed'`),
      verify: db.prepare(
        "UPDATE remote_device_identities SET trust = 'verified' WHERE account_id = ?",
      ),
      remove: db.prepare(`UPDATE remote_device_identities SET removed_at = ?
          WHERE account_id = ? AND device_id = ? AND removed_at IS NULL`),
    };
  }

  override async getIdentityKey(): Promise<PrivateKey> {
    return this.ownPair().privateKey;
  }

  override async getIdentityKeyPair(): Promise<IdentityKeyPair> {
    return this.ownPair();
  }

  override async getLocalRegistrationId(): Promise<number> {
    return this.ownRecord().registrationId;
  }

  override async saveIdentity(name: ProtocolAddress, key: PublicKey): Promise<IdentityChange> {
    const accountId = name.name();
    const deviceId = name.deviceId();
    const existing = this.row(accountId, deviceId);
    if (!existing) {
      const knownPerson = this.statements.everSeen.get(accountId) !== undefined;
      this.statements.insert.run(accountId, deviceId, Buffer.from(key.serialize()), this.now());
      if (knownPerson) this.options.onDeviceAdded?.(accountId, deviceId);
      return IdentityChange.NewOrUnchanged;
    }
    if (PublicKey.deserialize(existing.identity_key).equals(key)) {
      return IdentityChange.NewOrUnchanged;
    }
    this.statements.replace.run(Buffer.from(key.serialize()), this.now(), accountId, deviceId);
    this.options.onIdentityChanged?.(accountId, deviceId);
    return IdentityChange.ReplacedExisting;
  }

  /**
   * First contact with a person: every device the relay lists is recorded at once, trusted on
   * first use, so none of them is announced as "added".
   */
  recordFirstContact(
    accountId: string,
    devices: readonly { deviceId: number; identityKey: PublicKey }[],
  ): void {
    if (this.statements.everSeen.get(accountId) !== undefined) return;
    for (const device of devices) {
      this.statements.insert.run(
        accountId,
        device.deviceId,
        Buffer.from(device.identityKey.serialize()),
        this.now(),
      );
    }
  }

  override async isTrustedIdentity(
    name: ProtocolAddress,
    key: PublicKey,
    direction: Direction,
  ): Promise<boolean> {
    if (direction === Direction.Receiving) return true;
    const existing = this.row(name.name(), name.deviceId());
    if (!existing) return true;
    if (!PublicKey.deserialize(existing.identity_key).equals(key)) return false;
    return existing.trust !== 'changed';
  }

  override async getIdentity(name: ProtocolAddress): Promise<PublicKey | null> {
    const existing = this.row(name.name(), name.deviceId());
    return existing ? PublicKey.deserialize(existing.identity_key) : null;
  }

  /** The stored identity of one device, with its trust state; null if never seen. */
  deviceIdentity(accountId: string, deviceId: number): DeviceIdentity | null {
    const row = this.row(accountId, deviceId);
    return row ? toDeviceIdentity(row) : null;
  }

  /** The stored identities of a person's devices and the person's trust; null if never seen. */
  remoteIdentity(accountId: string): RemoteIdentity | null {
    const devices = this.rows(accountId).map(toDeviceIdentity);
    if (devices.length === 0) return null;
    const trust: IdentityTrust = devices.some((d) => d.trust === 'changed')
      ? 'changed'
      : devices.every((d) => d.trust === 'verified')
        ? 'verified'
        : devices.some((d) => d.trust === 'acknowledged')
          ? 'acknowledged'
          : 'first_use';
    return { accountId, devices, trust };
  }

  /** The user has seen the identity-change warning; sending to the person is allowed again. */
  acknowledgeIdentity(accountId: string): boolean {
    return this.statements.acknowledge.run(accountId).changes > 0;
  }

  /**
   * The person acknowledged these keys on another of their own devices: a changed device of the
   * peer is acknowledged here only if its key is one of them (base64 serialized), so a key this
   * device met that the other did not still blocks. Returns how many devices were acknowledged.
   */
  acknowledgeKeys(accountId: string, identityKeys: readonly string[]): number {
    let acknowledged = 0;
    for (const row of this.rows(accountId)) {
      if (row.trust !== 'changed') continue;
      if (!identityKeys.includes(Buffer.from(row.identity_key).toString('base64'))) continue;
      acknowledged += this.statements.acknowledgeDevice.run(accountId, row.device_id).changes;
    }
    return acknowledged;
  }

  /** The user compared safety numbers in person: every device of theirs is verified. */
  markVerified(accountId: string): boolean {
    return this.statements.verify.run(accountId).changes > 0;
  }

  /** The device was removed from the person's account: its key no longer counts. */
  forgetDevice(accountId: string, deviceId: number): void {
    this.statements.remove.run(this.now(), accountId, deviceId);
  }

  /** A device of the account that is still on it (a removed one counts as never seen). */
  private row(accountId: string, deviceId: number): RemoteIdentityRow | undefined {
    const row = this.statements.get.get(accountId, deviceId) as RemoteIdentityRow | undefined;
    return row && row.removed_at === null ? row : undefined;
  }

  private rows(accountId: string): RemoteIdentityRow[] {
    return this.statements.ofAccount.all(accountId) as RemoteIdentityRow[];
  }

  private ownRecord() {
    const record = this.own.get();
    if (!record) {
      throw new MessengerError(
        'not_found',
        'This profile has no Signal identity yet (not enrolled).',
      );
    }
    return record;
  }

  private ownPair(): IdentityKeyPair {
    this.cachedPair ??= IdentityKeyPair.deserialize(this.ownRecord().identityKeyPair);
    return this.cachedPair;
  }
}

function toDeviceIdentity(row: RemoteIdentityRow): DeviceIdentity {
  return {
    accountId: row.account_id,
    deviceId: row.device_id,
    identityKey: PublicKey.deserialize(row.identity_key),
    trust: row.trust,
    firstSeenAt: row.first_seen_at,
    changedAt: row.changed_at,
  };
}
