import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isMessengerError } from '../../../../shared/errors.js';
import { loadPolicy, parsePolicyText } from '../../../../main/core/policy/load-policy.js';
import {
  policyOverrideFromArgv,
  systemPolicyPath,
  windowsProgramData,
} from '../../../../main/core/policy/policy-location.js';

/** What `reg query <key> /v "Common AppData"` prints. */
function regOutput(value: string, type = 'REG_SZ'): string {
  return (
    '\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Explorer\\Shell Folders\r\n' +
    `    Common AppData    ${type}    ${value}\r\n\r\n`
  );
}
import { defaultPolicy, policyKeys } from '../../../../main/core/policy/policy-schema.js';
import { createPidDetector } from '../../../../shared/clinical/pid-detector.js';

const root = path.resolve(import.meta.dirname, '../../../..');
const exampleText = readFileSync(path.join(root, 'build/policy.example.json'), 'utf8');
const deploymentDoc = readFileSync(path.join(root, 'docs/deployment.md'), 'utf8');

function rejection(text: string): string {
  try {
    parsePolicyText(text, '/etc/practice-messenger/policy.json');
  } catch (error) {
    expect(isMessengerError(error, 'policy_invalid')).toBe(true);
    return (error as Error).message;
  }
  throw new Error(`accepted: ${text}`);
}

describe('the managed policy', () => {
  it('accepts the documented example file, which is the one docs/deployment.md shows', () => {
    const policy = parsePolicyText(exampleText, 'build/policy.example.json');
    expect(policy.lockTimeoutMinutes).toBe(5);
    expect(policy.pidGuard).toBe('warn');
    const shown = /<!-- policy-example:start -->\s*```json\n([\s\S]*?)```/.exec(deploymentDoc);
    expect(shown?.[1]).toBeDefined();
    expect(JSON.parse(shown?.[1] ?? '')).toEqual(JSON.parse(exampleText));
  });

  it('is documented key by key in docs/deployment.md, and the example uses every key', () => {
    for (const key of Object.keys(policyKeys)) {
      expect(deploymentDoc, key).toMatch(new RegExp(`^\\| \`${key}\` +\\|`, 'm'));
    }
    expect(Object.keys(JSON.parse(exampleText)).sort()).toEqual(Object.keys(policyKeys).sort());
  });

  it('has the documented defaults', () => {
    expect(defaultPolicy).toEqual({
      serverUrl: null,
      serverCertificateSha256: null,
      lockTimeoutMinutes: 5,
      notificationPrivacy: 'sender_and_text',
      pidGuard: 'warn',
      retentionDays: 30,
      retentionWarningDays: 7,
      maxPasscodeAttempts: null,
      contentProtection: false,
      allowExport: false,
      hospitalNumberPatterns: [],
      recordIdentifierBase: null,
      clipboardClearSeconds: 120,
      allowAttachments: true,
      maxAttachmentMB: 25,
      attachmentTypes: ['image/jpeg', 'image/png', 'image/heic', 'application/pdf'],
      askImagePatientDetails: true,
      maxDevicesPerPerson: 5,
      linkWithoutApproval: false,
    });
    expect(parsePolicyText('{}', 'p')).toEqual(defaultPolicy);
  });

  it('normalises a certificate fingerprint as openssl prints it', () => {
    const colons = 'AB:'.repeat(31) + 'AB';
    expect(
      parsePolicyText(`{"serverCertificateSha256":"${colons}"}`, 'p').serverCertificateSha256,
    ).toBe('ab'.repeat(32));
  });

  it('accepts a \\p{...} hospital number pattern, which the PID guard then matches', () => {
    const policy = parsePolicyText('{"hospitalNumberPatterns": ["\\\\p{Lu}\\\\d{4}"]}', 'p');
    const detect = createPidDetector({ hospitalNumberPatterns: policy.hospitalNumberPatterns });
    expect(detect('MRN É1234').map((f) => [f.text, f.label])).toEqual([
      ['É1234', 'Hospital number (practice policy)'],
    ]);
  });

  it('takes several relay URLs separated by commas (the nodes of a hosted relay)', () => {
    const list = 'https://relay1.example.nhs.uk, https://relay2.example.nhs.uk:8443';
    expect(parsePolicyText(JSON.stringify({ serverUrl: list }), 'p').serverUrl).toBe(list);
  });

  it('reads clipboardClearSeconds', () => {
    expect(parsePolicyText('{"clipboardClearSeconds": 30}', 'p').clipboardClearSeconds).toBe(30);
  });

  it('accepts a UTF-8 byte-order mark (Notepad)', () => {
    expect(parsePolicyText('\uFEFF{"pidGuard":"block"}', 'p').pidGuard).toBe('block');
  });

  const bad: Array<[string, string, RegExp[]]> = [
    ['bad JSON', '{"lockTimeoutMinutes": 5,}', [/not valid JSON/]],
    ['not an object', '[1, 2]', [/must be a JSON object/]],
    ['unknown key', '{"lockTimeout": 5}', [/unknown key "lockTimeout"/, /allowed keys: serverUrl/]],
    [
      'wrong type',
      '{"lockTimeoutMinutes": "5"}',
      [/"lockTimeoutMinutes" is "5"/, /whole number of minutes from 1 to 60/],
    ],
    [
      'out of range',
      '{"lockTimeoutMinutes": 120}',
      [/"lockTimeoutMinutes" is 120/, /from 1 to 60/],
    ],
    ['not a whole number', '{"retentionDays": 2.5}', [/"retentionDays"/, /1 to 3650/]],
    [
      'a warning beyond a year',
      '{"retentionWarningDays": 400}',
      [/"retentionWarningDays"/, /0 to 365/],
    ],
    ['bad enum value', '{"pidGuard": "ignore"}', [/"pidGuard" is "ignore"/, /"warn" or "block"/]],
    [
      'bad notification level',
      '{"notificationPrivacy": "full"}',
      [/"notificationPrivacy"/, /"sender_and_text"/],
    ],
    ['boolean as string', '{"contentProtection": "yes"}', [/"contentProtection"/, /true or false/]],
    ['plain http relay', '{"serverUrl": "http://relay.example.org"}', [/"serverUrl"/, /https/]],
    ['not a URL', '{"serverUrl": "relay"}', [/"serverUrl"/]],
    [
      'plain http in a list',
      '{"serverUrl": "https://relay1.example.nhs.uk,http://relay2.example.nhs.uk"}',
      [/"serverUrl"/, /https/],
    ],
    [
      'nine relay URLs',
      JSON.stringify({
        serverUrl: Array.from({ length: 9 }, (_, i) => `https://n${i}.example.nhs.uk`).join(','),
      }),
      [/"serverUrl"/, /at most 8/],
    ],
    [
      'short fingerprint',
      '{"serverCertificateSha256": "abcd"}',
      [/"serverCertificateSha256"/, /64 hex digits/],
    ],
    ['too few attempts', '{"maxPasscodeAttempts": 1}', [/"maxPasscodeAttempts" is 1/, /3 to 100/]],
    [
      'broken regex',
      '{"hospitalNumberPatterns": ["[A-Z"]}',
      [/"hospitalNumberPatterns.0"/, /regular expression/],
    ],
    [
      'pattern that would freeze the compose box',
      '{"hospitalNumberPatterns": ["(\\\\d+)+x"]}',
      [/"hospitalNumberPatterns.0"/, /nested quantifier/],
    ],
    [
      'clipboard time too short',
      '{"clipboardClearSeconds": 5}',
      [/"clipboardClearSeconds" is 5/, /10 to 600/],
    ],
    [
      'clipboard time not whole',
      '{"clipboardClearSeconds": 30.5}',
      [/"clipboardClearSeconds"/, /10 to 600/],
    ],
    ['clipboard time too long', '{"clipboardClearSeconds": 3600}', [/10 to 600/]],
  ];
  it.each(bad)(
    'refuses a policy with a %s, naming the key and what is allowed',
    (_kind, text, patterns) => {
      const message = rejection(text);
      expect(message).toMatch(/^Practice Messenger will not start/);
      for (const pattern of patterns) expect(message).toMatch(pattern);
    },
  );

  it('names every bad key at once', () => {
    const message = rejection('{"pidGuard": 1, "allowExport": "no", "colour": "blue"}');
    expect(message).toMatch(/"pidGuard"/);
    expect(message).toMatch(/"allowExport"/);
    expect(message).toMatch(/"colour"/);
  });
});

describe('where the policy is read from', () => {
  it('uses the per-OS system path', () => {
    expect(systemPolicyPath('win32', { queryRegistry: () => regOutput('D:\\ProgramData') })).toBe(
      'D:\\ProgramData\\Practice Messenger\\policy.json',
    );
    expect(systemPolicyPath('darwin', {})).toBe(
      '/Library/Application Support/Practice Messenger/policy.json',
    );
    expect(systemPolicyPath('linux', {})).toBe('/etc/practice-messenger/policy.json');
  });

  it('on Windows takes ProgramData from the registry (HKLM), never from the environment', () => {
    const queries: string[] = [];
    const saved = {
      ProgramData: process.env['ProgramData'],
      PROGRAMDATA: process.env['PROGRAMDATA'],
    };
    // A user can set %ProgramData% for their own processes and point it at a laxer policy.
    process.env['ProgramData'] = 'C:\\Users\\mallory\\pd';
    process.env['PROGRAMDATA'] = 'C:\\Users\\mallory\\pd';
    try {
      const read: string[] = [];
      const loaded = loadPolicy({
        platform: 'win32',
        argv: [],
        readRegistryPolicy: () => undefined,
        queryRegistry: (key, value) => {
          queries.push(`${key} /v ${value}`);
          return regOutput('E:\\Shared Data');
        },
        readText: (file) => {
          read.push(file);
          return undefined;
        },
      });
      expect(loaded.source).toBe('defaults');
      expect(read).toEqual(['E:\\Shared Data\\Practice Messenger\\policy.json']);
      expect(queries).toEqual([
        'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Explorer\\Shell Folders /v Common AppData',
      ]);
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });

  it.each([
    [
      'reg.exe fails',
      () => {
        throw new Error(
          'ERROR: The system was unable to find the specified registry key or value.',
        );
      },
    ],
    ['the value is missing', () => '\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\...\\Shell Folders\r\n'],
    [
      'the value needs the environment expanded',
      () => regOutput('%SystemDrive%\\ProgramData', 'REG_EXPAND_SZ'),
    ],
    ['the value is a relative path', () => regOutput('ProgramData')],
  ])('on Windows falls back to C:\\ProgramData when %s', (_case, queryRegistry) => {
    expect(windowsProgramData(queryRegistry)).toBe('C:\\ProgramData');
    expect(systemPolicyPath('win32', { queryRegistry })).toBe(
      'C:\\ProgramData\\Practice Messenger\\policy.json',
    );
  });

  it('reads --policy <file> and --policy=<file>', () => {
    expect(policyOverrideFromArgv(['electron', '.', '--policy', '/tmp/p.json'])).toBe(
      '/tmp/p.json',
    );
    expect(policyOverrideFromArgv(['electron', '--policy=/tmp/p.json'])).toBe('/tmp/p.json');
    expect(policyOverrideFromArgv(['electron', '.'])).toBeUndefined();
    expect(policyOverrideFromArgv(['electron', '--policy'])).toBe('');
  });

  const files = (entries: Record<string, string>) => (file: string) => entries[file];
  const linux = { platform: 'linux' as const };

  it('uses the defaults when there is no policy file', () => {
    expect(loadPolicy({ ...linux, argv: [], readText: files({}) })).toEqual({
      policy: defaultPolicy,
      source: 'defaults',
      path: null,
      layers: [],
      keysSet: [],
    });
  });

  it('uses the system file when present', () => {
    const loaded = loadPolicy({
      ...linux,
      argv: [],
      readText: files({ '/etc/practice-messenger/policy.json': '{"pidGuard":"block"}' }),
    });
    expect(loaded.source).toBe('system');
    expect(loaded.policy.pidGuard).toBe('block');
    // Which keys IT set, for the practice trail's "policy loaded" (never their values).
    expect(loaded.keysSet).toEqual(['pidGuard']);
  });

  it('uses --policy when no managed policy is installed', () => {
    const loaded = loadPolicy({
      ...linux,
      argv: ['--policy', '/tmp/test.json'],
      readText: files({ '/tmp/test.json': '{"allowExport":true}' }),
    });
    expect(loaded).toMatchObject({ source: 'command-line', path: '/tmp/test.json' });
    expect(loaded.policy.allowExport).toBe(true);
  });

  it('refuses --policy when a managed policy is installed, so users cannot loosen it', () => {
    expect(() =>
      loadPolicy({
        ...linux,
        argv: ['--policy', '/tmp/lax.json'],
        readText: files({
          '/etc/practice-messenger/policy.json': '{}',
          '/tmp/lax.json': '{}',
        }),
      }),
    ).toThrow(/managed policy is installed/);
  });

  it('fails closed when --policy names a missing file or the system file is unreadable', () => {
    expect(() =>
      loadPolicy({ ...linux, argv: ['--policy', '/nope.json'], readText: files({}) }),
    ).toThrow(/does not exist/);
    expect(() =>
      loadPolicy({
        ...linux,
        argv: [],
        readText: () => {
          throw Object.assign(new Error('denied'), { code: 'EACCES' });
        },
      }),
    ).toThrow(/cannot be read \(EACCES\)/);
  });
});
