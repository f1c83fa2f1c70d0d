/**
 * Where each profile's 32-byte keychain secret lives. The secret is one of the two inputs of the
 * database key (the other is the passcode), so a profile folder copied to another OS account, or
 * read by someone who only knows the passcode, stays unreadable.
 */
export const KEYCHAIN_SERVICE = 'Practice Messenger';

export interface Keychain {
  /** The stored secret for this profile, or null when there is no entry. */
  getSecret(profileId: string): Promise<string | null>;
  setSecret(profileId: string, secret: string): Promise<void>;
  /** True when an entry existed and was removed. */
  deleteSecret(profileId: string): Promise<boolean>;
}
