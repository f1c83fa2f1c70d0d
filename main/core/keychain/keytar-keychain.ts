import keytar from '@github/keytar';
import { MessengerError } from '../../../shared/errors.js';
import { KEYCHAIN_SERVICE, type Keychain } from './keychain.js';

/**
 * The OS keychain through @github/keytar: Windows Credential Manager, macOS Keychain, or a
 * Secret Service (gnome-keyring, KWallet) over D-Bus on Linux. Any failure to reach it becomes
 * `keychain_unavailable`; there is deliberately no fallback that would keep the secret in a file.
 */
export class KeytarKeychain implements Keychain {
  constructor(private readonly service: string = KEYCHAIN_SERVICE) {}

  async getSecret(profileId: string): Promise<string | null> {
    return this.call(() => keytar.getPassword(this.service, profileId));
  }

  async setSecret(profileId: string, secret: string): Promise<void> {
    await this.call(() => keytar.setPassword(this.service, profileId, secret));
  }

  async deleteSecret(profileId: string): Promise<boolean> {
    return this.call(() => keytar.deletePassword(this.service, profileId));
  }

  private async call<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw keychainUnavailable(error);
    }
  }
}

export function keychainUnavailable(cause: unknown): MessengerError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new MessengerError(
    'keychain_unavailable',
    `${howToFix(detail)} (keychain said: ${detail})`,
    {
      platform: process.platform,
    },
  );
}

function howToFix(detail: string): string {
  switch (process.platform) {
    case 'win32':
      return 'The Windows Credential Manager could not be used to store the profile secret. Sign in with a normal (not temporary) Windows profile and try again.';
    case 'darwin':
      return 'The macOS Keychain could not be used to store the profile secret. Unlock the login keychain (Keychain Access) and try again.';
    default: {
      const locked = /locked/i.test(detail);
      return locked
        ? 'The Secret Service keyring (org.freedesktop.secrets) is locked. Unlock it (e.g. log in to the desktop session, or `gnome-keyring-daemon --unlock`) and try again.'
        : 'No Secret Service (org.freedesktop.secrets) is reachable over D-Bus, so the profile secret cannot be stored safely. Run inside a desktop session with gnome-keyring or KWallet running (packages: gnome-keyring, libsecret-1-0, dbus), or start one with `dbus-run-session` and `gnome-keyring-daemon --unlock --components=secrets`. Practice Messenger never stores the secret in a plain file instead.';
    }
  }
}
