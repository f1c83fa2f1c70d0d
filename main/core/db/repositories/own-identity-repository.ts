import type { SqlDatabase } from '../encrypted-database.js';

export interface OwnIdentityRecord {
  /** Assigned by the relay at enrolment; null until then. */
  readonly accountId: string | null;
  readonly deviceId: number;
  readonly registrationId: number;
  /** libsignal IdentityKeyPair serialisation. */
  readonly identityKeyPair: Uint8Array<ArrayBuffer>;
  readonly createdAt: number;
}

interface OwnIdentityRow {
  account_id: string | null;
  device_id: number;
  registration_id: number;
  identity_key_pair: Uint8Array<ArrayBuffer>;
  created_at: number;
}

/** This device's own Signal identity (one row). */
export class OwnIdentityRepository {
  private readonly statements;

  constructor(db: SqlDatabase) {
    this.statements = {
      get: db.prepare('SELECT * FROM own_identity WHERE singleton = 1'),
      insert: db.prepare(`INSERT INTO own_identity (singleton, account_id, device_id,
          registration_id, identity_key_pair, created_at)
          VALUES (1, @accountId, @deviceId, @registrationId, @identityKeyPair, @createdAt)`),
      setAccountId: db.prepare('UPDATE own_identity SET account_id = ? WHERE singleton = 1'),
    };
  }

  get(): OwnIdentityRecord | null {
    const row = this.statements.get.get() as OwnIdentityRow | undefined;
    if (!row) return null;
    return {
      accountId: row.account_id,
      deviceId: row.device_id,
      registrationId: row.registration_id,
      identityKeyPair: row.identity_key_pair,
      createdAt: row.created_at,
    };
  }

  /** Throws if an identity already exists: replacing it silently would break every session. */
  create(identity: OwnIdentityRecord): void {
    this.statements.insert.run({
      ...identity,
      identityKeyPair: Buffer.from(identity.identityKeyPair),
    });
  }

  setAccountId(accountId: string): void {
    this.statements.setAccountId.run(accountId);
  }
}
