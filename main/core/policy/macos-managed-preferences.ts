/**
 * The managed policy as a macOS configuration profile (MDM) delivers it: the profile's payload for
 * the app's bundle id is written by the system to /Library/Managed Preferences/<bundle id>.plist,
 * which only root can change. Read with /usr/bin/plutil as JSON; the sample profile is
 * build/policy-templates/PracticeMessenger.mobileconfig.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { MessengerError } from '../../../shared/errors.js';
import { fromManagedStore, policyKindsByKey, type PolicyKind } from './policy-kinds.js';

/** electron-builder.yml's appId: the preference domain of the configuration profile's payload. */
export const macBundleId = 'uk.practicemessenger.desktop';
export const managedPreferencesPath = `/Library/Managed Preferences/${macBundleId}.plist`;

/** plutil by absolute path, like reg.exe on Windows: never resolved through the user's PATH. */
const plutil = '/usr/bin/plutil';

/**
 * The managed preferences as JSON text (`plutil -convert json`), or undefined when no profile
 * sets any. A plist that exists but cannot be converted throws, so the loader fails closed.
 */
export function readManagedPreferences(): string | undefined {
  if (!existsSync(managedPreferencesPath)) return undefined;
  return execFileSync(plutil, ['-convert', 'json', '-o', '-', managedPreferencesPath], {
    encoding: 'utf8',
    timeout: 5_000,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
}

/** The policy object (still to be validated) from plutil's JSON. */
export function managedPreferencesToPolicy(jsonText: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(jsonText);
  } catch {
    json = undefined;
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new MessengerError(
      'policy_invalid',
      `Practice Messenger will not start: the managed preferences at ${managedPreferencesPath} could not be read as a dictionary.\n` +
        'Check the configuration profile that sets them (see build/policy-templates/PracticeMessenger.mobileconfig).',
    );
  }
  const policy: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(json)) {
    // Profile bookkeeping (PayloadUUID and the like) is not a policy key.
    if (name.startsWith('Payload')) continue;
    const kind = (policyKindsByKey as Record<string, PolicyKind | undefined>)[name];
    policy[name] = kind ? fromManagedStore(kind, value) : value;
  }
  return policy;
}
