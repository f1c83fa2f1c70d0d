import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isMessengerError } from '../../../../shared/errors.js';
import { loadPolicy } from '../../../../main/core/policy/load-policy.js';
import { policyKeys } from '../../../../main/core/policy/policy-schema.js';
import {
  parseRegQueryOutput,
  registryValuesToPolicy,
} from '../../../../main/core/policy/windows-registry-policy.js';

/** Output of `reg query HKLM\SOFTWARE\Policies\PracticeMessenger`, as reg.exe prints it (CRLF). */
const fixture = (name: string) =>
  readFileSync(path.join(import.meta.dirname, 'fixtures', name), 'utf8');

const programData = () =>
  '\r\nHKEY_LOCAL_MACHINE\\...\\Shell Folders\r\n    Common AppData    REG_SZ    C:\\ProgramData\r\n\r\n';
const windowsFile = 'C:\\ProgramData\\Practice Messenger\\policy.json';

function loadOnWindows(registry: string | undefined, file?: string) {
  return loadPolicy({
    platform: 'win32',
    argv: [],
    queryRegistry: programData,
    readRegistryPolicy: () => registry,
    readText: (p) => (p === windowsFile ? file : undefined),
  });
}

describe('the Windows registry policy (Group Policy)', () => {
  it('reads every key from captured reg query output: REG_SZ, REG_DWORD, REG_MULTI_SZ', () => {
    const loaded = loadOnWindows(fixture('reg-query-every-key.txt'));
    expect(loaded.source).toBe('system');
    expect(loaded.path).toBe('the registry key HKLM\\SOFTWARE\\Policies\\PracticeMessenger');
    expect(loaded.policy).toEqual({
      serverUrl: 'https://relay.riverside-surgery.example.nhs.uk:8443',
      serverCertificateSha256: 'abcdef0123456789'.repeat(4),
      lockTimeoutMinutes: 10,
      notificationPrivacy: 'sender',
      pidGuard: 'block',
      // DWORD 0 is how the template writes null (keep until deleted).
      retentionDays: null,
      retentionWarningDays: 3,
      maxPasscodeAttempts: 8,
      contentProtection: true,
      allowExport: false,
      hospitalNumberPatterns: ['RX[0-9]{7}', '[A-Z][0-9]{6}[A-Z]'],
      recordIdentifierBase: 'https://fhir.riverside-surgery.example.nhs.uk/Id',
      clipboardClearSeconds: 60,
      allowAttachments: false,
      maxAttachmentMB: 10,
      attachmentTypes: ['image/png', 'application/pdf'],
      askImagePatientDetails: false,
      maxDevicesPerPerson: 3,
      linkWithoutApproval: true,
    });
    // The fixture sets every key the schema has, so a new key needs a new fixture line.
    expect(
      Object.keys(
        registryValuesToPolicy(parseRegQueryOutput(fixture('reg-query-every-key.txt'))),
      ).sort(),
    ).toEqual(Object.keys(policyKeys).sort());
  });

  it('reads only the key itself, not its subkeys, and an empty REG_SZ as null', () => {
    const values = parseRegQueryOutput(fixture('reg-query-subkey.txt'));
    expect(values).toEqual([
      { name: 'pidGuard', type: 'REG_SZ', data: 'block' },
      { name: 'serverCertificateSha256', type: 'REG_SZ', data: '' },
    ]);
    expect(registryValuesToPolicy(values)).toEqual({
      pidGuard: 'block',
      serverCertificateSha256: null,
    });
  });

  it('fails closed, naming the value, when its registry type does not fit the key', () => {
    expect(() => loadOnWindows(fixture('reg-query-wrong-type.txt'))).toThrow(
      /PracticeMessenger\\lockTimeoutMinutes is REG_SZ; lockTimeoutMinutes must be REG_DWORD/,
    );
  });

  it('fails closed on an out-of-range or unknown value, naming the registry as the source', () => {
    const out =
      '\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\PracticeMessenger\r\n    lockTimeoutMinutes    REG_DWORD    0x78\r\n    colour    REG_SZ    blue\r\n\r\n';
    let message = '';
    try {
      loadOnWindows(out);
    } catch (error) {
      expect(isMessengerError(error, 'policy_invalid')).toBe(true);
      message = (error as Error).message;
    }
    expect(message).toMatch(
      /the policy in the registry key HKLM\\SOFTWARE\\Policies\\PracticeMessenger is invalid/,
    );
    expect(message).toMatch(/"lockTimeoutMinutes" is 120/);
    expect(message).toMatch(/unknown key "colour"/);
  });

  it('fails closed when reg.exe cannot be run, rather than ignoring Group Policy', () => {
    expect(() =>
      loadPolicy({
        platform: 'win32',
        argv: [],
        queryRegistry: programData,
        readRegistryPolicy: () => {
          throw Object.assign(new Error('spawn failed'), { code: 'ENOENT' });
        },
        readText: () => undefined,
      }),
    ).toThrow(
      /registry key HKLM\\SOFTWARE\\Policies\\PracticeMessenger exists but cannot be read \(ENOENT\)/,
    );
  });

  it('treats a missing key or an empty key as no registry policy', () => {
    expect(loadOnWindows(undefined).source).toBe('defaults');
    expect(loadOnWindows(fixture('reg-query-empty-key.txt')).source).toBe('defaults');
  });
});

describe('precedence on Windows: the registry over the file, key by key', () => {
  it('takes a key set in both from the registry and the rest from the file', () => {
    const loaded = loadOnWindows(
      '\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\PracticeMessenger\r\n    pidGuard    REG_SZ    block\r\n\r\n',
      '{"pidGuard": "warn", "lockTimeoutMinutes": 2}',
    );
    expect(loaded.policy.pidGuard).toBe('block');
    expect(loaded.policy.lockTimeoutMinutes).toBe(2);
    expect(loaded.layers).toEqual([
      'the registry key HKLM\\SOFTWARE\\Policies\\PracticeMessenger',
      windowsFile,
    ]);
  });

  it('uses the file alone when the registry sets nothing', () => {
    const loaded = loadOnWindows(undefined, '{"pidGuard": "block"}');
    expect(loaded).toMatchObject({ source: 'system', path: windowsFile, layers: [windowsFile] });
    expect(loaded.policy.pidGuard).toBe('block');
  });

  it('refuses --policy when only the registry sets a policy', () => {
    expect(() =>
      loadPolicy({
        platform: 'win32',
        argv: ['--policy', 'C:\\lax.json'],
        queryRegistry: programData,
        readRegistryPolicy: () => fixture('reg-query-subkey.txt'),
        readText: (p) => (p === 'C:\\lax.json' ? '{}' : undefined),
      }),
    ).toThrow(/managed policy is installed at the registry key/);
  });

  it('still validates the file when the registry overrides its bad key', () => {
    // A broken file is a mistake IT must hear about, even if Group Policy happens to cover it.
    expect(() =>
      loadOnWindows(
        '\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\PracticeMessenger\r\n    pidGuard    REG_SZ    block\r\n\r\n',
        '{"pidGuard": "ignore"}',
      ),
    ).toThrow(/"pidGuard" is "ignore"/);
  });
});
