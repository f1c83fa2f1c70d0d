/**
 * What the session needs from the profile store (main/core/profile): the profile picker's
 * summaries and an unlocked profile's handles. attempt-limited-gateway.ts maps the real store
 * onto it and adds the policy's limit on wrong passcodes.
 */
import type { z } from 'zod';
import type { ProfileSummary } from '../../../shared/ipc/view-schemas.js';
import type { OpenProfile } from '../profile/open-profile.js';

/** Key/value settings inside the encrypted profile database (SettingsRepository fits). */
export interface SettingsStore {
  get<T>(key: string, schema: z.ZodType<T>): T | undefined;
  set(key: string, value: unknown, now: number): void;
}

export interface UnlockedProfile {
  readonly summary: ProfileSummary;
  readonly settings: SettingsStore;
  /** `invalid_passcode` when `current` is wrong; `passcode_too_short` for a weak new one. */
  changePasscode(current: string, next: string): Promise<void>;
  /** Closes the database; the key is dropped from memory. */
  close(): Promise<void> | void;
  /**
   * Erases this profile from the computer without a passcode: database files and keychain
   * entry. Only for an order from the practice (remote wipe); lock the session first.
   */
  erase(): Promise<void>;
  /** The open profile database, which the profile runtime runs on. */
  readonly profile: OpenProfile;
  /**
   * Keeps the wrong-passcode wipe's report credential in the keychain in step with the enrolled
   * account (main/core/audit/wipe-report.ts): after enrolment, as at each unlock.
   */
  keepWipeReport?(): Promise<void>;
}

export interface ProfileGateway {
  list(): Promise<ProfileSummary[]>;
  /** Creates a profile and returns it unlocked (the new user goes straight on to enrol). */
  create(displayName: string, passcode: string): Promise<UnlockedProfile>;
  /**
   * Typed errors: `profile_not_found`, `invalid_passcode`, `too_many_attempts` (with
   * `retryAfterMs` in details), `keychain_unavailable`, `keychain_entry_missing`.
   */
  unlock(profileId: string, passcode: string): Promise<UnlockedProfile>;
  /**
   * Proves the passcode (a counted attempt), then removes the profile's files and keychain
   * entry, so one person cannot remove a colleague's profile from a shared PC.
   */
  delete(profileId: string, passcode: string): Promise<void>;
}
