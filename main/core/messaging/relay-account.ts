import { z } from 'zod';
import { roleSchema } from '../../../shared/protocol/index.js';
import type { SettingsRepository } from '../db/repositories/settings-repository.js';

/**
 * What enrolment leaves in the encrypted profile: the relay, who we are there, and the bearer
 * token. Kept in the settings table, so it is encrypted at rest with everything else and never
 * written to the plain metadata file.
 */
export const relayAccountSchema = z.object({
  /** The relay address enrolment reached (the first of `serverUrls` when there are several). */
  serverUrl: z.url(),
  /**
   * Every address of a hosted relay with several nodes, in the order given; absent for one.
   * Profiles enrolled before this field have only `serverUrl`.
   */
  serverUrls: z.array(z.url()).min(2).max(8).optional(),
  accountId: z.uuid(),
  deviceId: z.number().int().min(1).max(127),
  token: z.string().min(20).max(256),
  displayName: z.string(),
  role: roleSchema,
  org: z.string(),
  enrolledAt: z.number().int(),
});
export type RelayAccount = z.infer<typeof relayAccountSchema>;

const key = 'relay.account';

/** The relay addresses of an account, in the order to try them. */
export function relayUrlsOf(account: RelayAccount): string[] {
  return account.serverUrls ?? [account.serverUrl];
}

export function readRelayAccount(settings: SettingsRepository): RelayAccount | null {
  return settings.get(key, relayAccountSchema) ?? null;
}

export function writeRelayAccount(
  settings: SettingsRepository,
  account: RelayAccount,
  now: number,
): void {
  settings.set(key, relayAccountSchema.parse(account), now);
}
