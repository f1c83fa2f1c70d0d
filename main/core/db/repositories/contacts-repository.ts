import type { ProfessionalIds } from '../../../../shared/protocol/schemas.js';
import type { SqlDatabase } from '../encrypted-database.js';

/** What the directory says of a person; the professional identifiers only when recorded. */
export interface ContactInput extends ProfessionalIds {
  accountId: string;
  displayName: string;
  role?: string | null;
}

/** A person in the practice directory, as last synced from the relay. */
export interface ContactRecord {
  readonly accountId: string;
  readonly displayName: string;
  readonly role: string | null;
  /** Left the practice or was revoked; kept so old conversations still show a name. */
  readonly removed: boolean;
  readonly updatedAt: number;
  /** GMC / NMC / SDS user id, when the practice recorded them (empty object otherwise). */
  readonly identifiers: ProfessionalIds;
}

interface ContactRow {
  account_id: string;
  display_name: string;
  role: string | null;
  removed: number;
  updated_at: number;
  gmc_number: string | null;
  nmc_pin: string | null;
  sds_user_id: string | null;
}

export class ContactsRepository {
  private readonly statements;

  constructor(private readonly db: SqlDatabase) {
    this.statements = {
      upsert: db.prepare(`INSERT INTO contacts (account_id, display_name, role, removed, updated_at,
            gmc_number, nmc_pin, sds_user_id)
          VALUES (@accountId, @displayName, @role, 0, @updatedAt, @gmcNumber, @nmcPin, @sdsUserId)
          ON CONFLICT (account_id) DO UPDATE SET display_name = excluded.display_name,
            role = excluded.role, removed = 0, updated_at = excluded.updated_at,
            gmc_number = excluded.gmc_number, nmc_pin = excluded.nmc_pin,
            sds_user_id = excluded.sds_user_id`),
      get: db.prepare('SELECT * FROM contacts WHERE account_id = ?'),
      listActive: db.prepare('SELECT * FROM contacts WHERE removed = 0 ORDER BY display_name'),
      listAll: db.prepare('SELECT * FROM contacts ORDER BY display_name'),
      markRemoved: db.prepare(
        'UPDATE contacts SET removed = 1, updated_at = ? WHERE account_id = ? AND removed = 0',
      ),
    };
  }

  upsert(contact: ContactInput, now: number) {
    this.statements.upsert.run({
      accountId: contact.accountId,
      displayName: contact.displayName,
      role: contact.role ?? null,
      updatedAt: now,
      gmcNumber: contact.gmcNumber ?? null,
      nmcPin: contact.nmcPin ?? null,
      sdsUserId: contact.sdsUserId ?? null,
    });
  }

  /** Replaces the directory: everyone listed is upserted, everyone else is marked removed. */
  replaceDirectory(contacts: readonly ContactInput[], now: number): void {
    this.db.transaction(() => {
      const present = new Set(contacts.map((c) => c.accountId));
      for (const contact of contacts) this.upsert(contact, now);
      for (const existing of this.list()) {
        if (!present.has(existing.accountId)) this.markRemoved(existing.accountId, now);
      }
    })();
  }

  get(accountId: string): ContactRecord | null {
    const row = this.statements.get.get(accountId) as ContactRow | undefined;
    return row ? toRecord(row) : null;
  }

  list(options: { includeRemoved?: boolean } = {}): ContactRecord[] {
    const statement = options.includeRemoved ? this.statements.listAll : this.statements.listActive;
    return (statement.all() as ContactRow[]).map(toRecord);
  }

  markRemoved(accountId: string, now: number): boolean {
    return this.statements.markRemoved.run(now, accountId).changes === 1;
  }
}

function toRecord(row: ContactRow): ContactRecord {
  return {
    accountId: row.account_id,
    displayName: row.display_name,
    role: row.role,
    removed: row.removed === 1,
    updatedAt: row.updated_at,
    identifiers: {
      ...(row.gmc_number ? { gmcNumber: row.gmc_number } : {}),
      ...(row.nmc_pin ? { nmcPin: row.nmc_pin } : {}),
      ...(row.sds_user_id ? { sdsUserId: row.sds_user_id } : {}),
    },
  };
}
