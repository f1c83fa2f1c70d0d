import { retryWhileBusy } from './storage/busy-retry.js';
import { MessengerError } from '../shared/errors.js';
import type { ProfessionalIds, Role } from '../shared/protocol/index.js';
import { hashEnrolmentCode, newEnrolmentCode } from './secrets.js';
import type {
  AccountRecord,
  AdminAccount,
  RelayStorage,
  RevokedDevice,
} from './storage/relay-storage.js';

// Administration used by the CLI (on the relay's data directory) and by the programmatic API.
// There is deliberately no HTTP admin API: whoever administers the relay has its host.

export const defaultOrg = 'default';
export const defaultCodeLifetimeHours = 72;

export type EnrolTarget =
  ({ displayName: string; role: Role; org?: string } & ProfessionalIds) | { accountId: string };

export interface IssuedEnrolmentCode extends ProfessionalIds {
  code: string;
  accountId: string;
  displayName: string;
  role: Role;
  org: string;
  expiresAt: string;
}

/** A one-time code for a new account, or (with accountId) for one more device of an account. */
export async function issueEnrolmentCode(
  storage: RelayStorage,
  target: EnrolTarget,
  lifetimeHours = defaultCodeLifetimeHours,
): Promise<IssuedEnrolmentCode> {
  const code = newEnrolmentCode();
  const now = Date.now();
  const expiresAt = now + Math.round(lifetimeHours * 3600_000);
  const issued = await storage.issueEnrolmentCode({
    codeHash: hashEnrolmentCode(code),
    expiresAt,
    now,
    account:
      'accountId' in target
        ? { accountId: target.accountId }
        : {
            displayName: target.displayName,
            role: target.role,
            org: target.org ?? defaultOrg,
            ...(target.gmcNumber ? { gmcNumber: target.gmcNumber } : {}),
            ...(target.nmcPin ? { nmcPin: target.nmcPin } : {}),
            ...(target.sdsUserId ? { sdsUserId: target.sdsUserId } : {}),
          },
  });
  return { code, ...issued, expiresAt: new Date(expiresAt).toISOString() };
}

/**
 * The account, which must belong to `org` when one is given: on a relay hosting many practices
 * an administrator scoped to one (`--org`) cannot touch another's staff.
 */
export async function accountInScope(
  storage: RelayStorage,
  accountId: string,
  org?: string,
): Promise<AccountRecord> {
  const account = await storage.getAccount(accountId);
  if (!account || (org !== undefined && account.org !== org)) {
    throw new MessengerError(
      'not_found',
      `No account ${accountId} ${org === undefined ? 'on this relay' : `in organisation "${org}"`}.`,
    );
  }
  return account;
}

export async function revokeAccess(
  storage: RelayStorage,
  accountId: string,
  options: { deviceId?: number; wipe?: boolean; org?: string } = {},
): Promise<RevokedDevice[]> {
  await accountInScope(storage, accountId, options.org);
  // Waits its turn behind a burst of audit appends instead of failing (busy-retry.ts).
  return retryWhileBusy(() =>
    storage.revoke({
      accountId,
      deviceId: options.deviceId ?? null,
      wipe: options.wipe ?? true,
      now: Date.now(),
    }),
  );
}

/** Every account, or only those of one organisation. */
export async function listAccounts(storage: RelayStorage, org?: string): Promise<AdminAccount[]> {
  const accounts = await storage.listAllAccounts();
  return org === undefined ? accounts : accounts.filter((a) => a.org === org);
}

/**
 * Gives a member of staff another role (a receptionist becoming practice manager). Recorded in
 * the practice audit trail as `account.role_changed`; the same role again changes nothing.
 */
export async function changeRole(
  storage: RelayStorage,
  accountId: string,
  role: Role,
  org?: string,
): Promise<{ accountId: string; from: Role; to: Role }> {
  await accountInScope(storage, accountId, org);
  const result = await retryWhileBusy(() =>
    storage.changeRole({ accountId, role, now: Date.now() }),
  );
  if (!result.ok) {
    throw new MessengerError(
      'not_found',
      result.reason === 'revoked'
        ? `Account ${accountId} is revoked; enrol the person again for a new role.`
        : `No account ${accountId} on this relay.`,
    );
  }
  return { accountId, from: result.from, to: result.to };
}
