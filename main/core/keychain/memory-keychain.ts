import type { Keychain } from './keychain.js';

/**
 * A keychain held in memory. For unit tests only: it forgets everything when the process ends,
 * which in production would make every profile unopenable.
 */
export class MemoryKeychain implements Keychain {
  private readonly entries = new Map<string, string>();

  async getSecret(profileId: string): Promise<string | null> {
    return this.entries.get(profileId) ?? null;
  }

  async setSecret(profileId: string, secret: string): Promise<void> {
    this.entries.set(profileId, secret);
  }

  async deleteSecret(profileId: string): Promise<boolean> {
    return this.entries.delete(profileId);
  }
}
