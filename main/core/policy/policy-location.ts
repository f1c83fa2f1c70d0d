/**
 * Where the managed policy lives on each OS, and the `--policy <file>` override. Uses the
 * platform's own path flavour whatever OS runs the code, so every OS's answer can be tested.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

export const policyFileName = 'policy.json';

/** Windows' fallback when the registry cannot be read: the folder on every standard install. */
export const defaultWindowsProgramData = 'C:\\ProgramData';

/**
 * Where the registry says the all-users application-data folder (FOLDERID_ProgramData) is.
 * HKLM is writable only by administrators, unlike %ProgramData%, which any user can point at a
 * folder of their own (and with it, at a laxer policy).
 */
export const commonAppDataKey =
  'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Explorer\\Shell Folders';

/** reg.exe by absolute path: resolving it through %PATH% would trust the user's environment. */
const regExe = 'C:\\Windows\\System32\\reg.exe';

export interface SystemPolicyPathOptions {
  /** Runs `reg query`; returns its standard output, or throws. Injected by tests. */
  readonly queryRegistry?: (key: string, value: string) => string;
}

export function systemPolicyPath(
  platform: NodeJS.Platform,
  options: SystemPolicyPathOptions = {},
): string {
  switch (platform) {
    case 'win32':
      return path.win32.join(
        windowsProgramData(options.queryRegistry ?? queryRegistry),
        'Practice Messenger',
        policyFileName,
      );
    case 'darwin':
      return path.posix.join('/Library/Application Support/Practice Messenger', policyFileName);
    default:
      return path.posix.join('/etc/practice-messenger', policyFileName);
  }
}

/**
 * The ProgramData folder from the registry's "Common AppData", or C:\ProgramData when it cannot
 * be read or is not a plain absolute path. Never from the environment.
 */
export function windowsProgramData(query: (key: string, value: string) => string): string {
  let output: string;
  try {
    output = query(commonAppDataKey, 'Common AppData');
  } catch {
    return defaultWindowsProgramData;
  }
  const match = /^\s*Common AppData\s+REG_SZ\s+(.+?)\s*$/im.exec(output);
  const value = match?.[1];
  // A drive-letter path with no variables to expand (expanding would read the environment).
  if (value === undefined || !/^[A-Za-z]:\\[^%]*$/.test(value)) return defaultWindowsProgramData;
  return path.win32.normalize(value);
}

function queryRegistry(key: string, value: string): string {
  return execFileSync(regExe, ['query', key, '/v', value], {
    encoding: 'utf8',
    timeout: 5_000,
    windowsHide: true,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
}

/** The value of `--policy <file>` or `--policy=<file>`; undefined when absent. */
export function policyOverrideFromArgv(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--policy') {
      const next = argv[i + 1];
      return next === undefined || next.startsWith('--') ? '' : next;
    }
    if (arg?.startsWith('--policy=')) return arg.slice('--policy='.length);
  }
  return undefined;
}
