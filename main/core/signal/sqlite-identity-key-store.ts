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

export interface RemoteIdentity {
  readonly accountId: string;
  readonly identityKey: PublicKey;
  readonly trust: IdentityTrust;
  readonly firstSeenAt: number;
  readonly changedAt: number | null;
}

interface RemoteIdentityRow {
  account_id: string;
  identity_key: Uint8Array<ArrayBuffer>;
  trust: IdentityTrust;
  first_seen_at: number;
  changed_at: number | null;
}

export interface IdentityStoreOptions {
  readonly now?: () => number;
  /** Called when a stored identity key is replaced, so the conversation can be flagged. */
  readonly onIdentityChanged?: (accountId: string) => void;
}

/**
 * Our identity and other people's, keyed by account id (the ProtocolAddress name; identity is
 * per account, not per device). Trust on first use; a replaced key is 'changed' and sending to
 * that person fails with libsignal's UntrustedIdentity until the user acknowledges it.
 * Receiving is always allowed, so a message is never lost to an identity change.
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
      get: db.prepare('SELECT * FROM remote_identities WHERE account_id = ?'),
      insert: db.prepare(`INSERT INTO remote_identities (account_id, identity_key, trust,
          first_seen_at) VALUES (?, ?, 'first_use', ?)`),
      replace: db.prepare(`UPDATE remote_identities SET identity_key = ?, trust = 'changed',
          changed_at = ? WHERE account_id = ?`),
      setTrust: db.prepare('UPDATE remote_identities SET trust = ? WHERE account_id = ?'),
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
    const existing = this.row(accountId);
    if (!existing) {
      this.statements.insert.run(accountId, Buffer.from(key.serialize()), this.now());
      return IdentityChange.NewOrUnchanged;
    }
    if (PublicKey.deserialize(existing.identity_key).equals(key)) {
      return IdentityChange.NewOrUnchanged;
    }
    this.statements.replace.run(Buffer.from(key.serialize()), this.now(), accountId);
    this.options.onIdentityChanged?.(accountId);
    return IdentityChange.ReplacedExisting;
  }

  override async isTrustedIdentity(
    name: ProtocolAddress,
    key: PublicKey,
    direction: Direction,
  ): Promise<boolean> {
    if (direction === Direction.Receiving) return true;
    const existing = this.row(name.name());
    if (!existing) return true;
    if (!PublicKey.deserialize(existing.identity_key).equals(key)) return false;
    return existing.trust !== 'changed';
  }

  override async getIdentity(name: ProtocolAddress): Promise<PublicKey | null> {
    const existing = this.row(name.name());
    return existing ? PublicKey.deserialize(existing.identity_key) : null;
  }

  /** The stored identity of a person, with its trust state; null if never seen. */
  remoteIdentity(accountId: string): RemoteIdentity | null {
    const row = this.row(accountId);
    if (!row) return null;
    return {
      accountId: row.account_id,
      identityKey: PublicKey.deserialize(row.identity_key),
      trust: row.trust,
      firstSeenAt: row.first_seen_at,
      changedAt: row.changed_at,
    };
  }

  /** The user has seen the identity-change warning; sending is allowed again. */
  acknowledgeIdentity(accountId: string): boolean {
    return this.statements.setTrust.run('acknowledged', accountId).changes === 1;
  }

  /** The user compared safety numbers in person. */
  markVerified(accountId: string): boolean {
    return this.statements.setTrust.run('verified', accountId).changes === 1;
  }

  private row(accountId: string): RemoteIdentityRow | undefined {
    return this.statements.get.get(accountId) as RemoteIdentityRow | undefined;
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
