import type { Role } from '../../shared/protocol/index.js';
import type { AccountRecord } from './relay-storage.js';

/** An accounts row as the PostgreSQL backend selects it. */
export interface AccountRow {
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

export function toAccount(row: AccountRow): AccountRecord {
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
