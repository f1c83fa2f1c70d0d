import { describe, expect, it } from 'vitest';
import { loadPolicy } from '../../../../main/core/policy/load-policy.js';
import { managedPreferencesPath } from '../../../../main/core/policy/macos-managed-preferences.js';

const macFile = '/Library/Application Support/Practice Messenger/policy.json';

/** What `plutil -convert json -o - <managed preferences>` prints for a deployed profile. */
const plutilJson = JSON.stringify({
  PayloadUUID: '6C0B7E0A-4F4B-4E0E-9F51-2B7A1C7D9A10',
  serverUrl: 'https://relay.example-pcn.nhs.uk',
  pidGuard: 'block',
  maxPasscodeAttempts: 0,
  contentProtection: true,
  hospitalNumberPatterns: ['RX[0-9]{7}'],
});

function loadOnMac(preferences: string | undefined, file?: string) {
  return loadPolicy({
    platform: 'darwin',
    argv: [],
    readManagedPreferences: () => preferences,
    readText: (p) => (p === macFile ? file : undefined),
  });
}

describe('macOS managed preferences (configuration profile)', () => {
  it('are read from /Library/Managed Preferences/<bundle id>.plist', () => {
    expect(managedPreferencesPath).toBe(
      '/Library/Managed Preferences/uk.practicemessenger.desktop.plist',
    );
  });

  it('set the policy, ignoring the profile bookkeeping and reading 0 as null', () => {
    const loaded = loadOnMac(plutilJson);
    expect(loaded.source).toBe('system');
    expect(loaded.policy).toMatchObject({
      serverUrl: 'https://relay.example-pcn.nhs.uk',
      pidGuard: 'block',
      maxPasscodeAttempts: null,
      contentProtection: true,
      hospitalNumberPatterns: ['RX[0-9]{7}'],
    });
  });

  it('win over the policy file key by key', () => {
    const loaded = loadOnMac(plutilJson, '{"pidGuard": "warn", "lockTimeoutMinutes": 3}');
    expect(loaded.policy.pidGuard).toBe('block');
    expect(loaded.policy.lockTimeoutMinutes).toBe(3);
    expect(loaded.layers).toEqual([`the managed preferences ${managedPreferencesPath}`, macFile]);
  });

  it('fail closed on a wrong value, naming the managed preferences', () => {
    expect(() => loadOnMac(JSON.stringify({ lockTimeoutMinutes: 'ten' }))).toThrow(
      /managed preferences \/Library\/Managed Preferences\/uk\.practicemessenger\.desktop\.plist is invalid[\s\S]*"lockTimeoutMinutes" is "ten"/,
    );
    expect(() => loadOnMac('not json')).toThrow(/could not be read as a dictionary/);
  });

  it('refuse --policy, like the file', () => {
    expect(() =>
      loadPolicy({
        platform: 'darwin',
        argv: ['--policy', '/tmp/lax.json'],
        readManagedPreferences: () => plutilJson,
        readText: () => '{}',
      }),
    ).toThrow(/managed policy is installed at the managed preferences/);
  });
});
