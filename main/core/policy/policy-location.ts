/**
 * Where the managed policy lives on each OS, and the `--policy <file>` override. Uses the
 * platform's own path flavour whatever OS runs the code, so every OS's answer can be tested.
 */
import path from 'node:path';

export const policyFileName = 'policy.json';

export function systemPolicyPath(
  platform: NodeJS.Platform,
  env: Readonly<Record<string, string | undefined>>,
): string {
  switch (platform) {
    case 'win32':
      return path.win32.join(
        env['ProgramData'] ?? env['PROGRAMDATA'] ?? 'C:\\ProgramData',
        'Practice Messenger',
        policyFileName,
      );
    case 'darwin':
      return path.posix.join('/Library/Application Support/Practice Messenger', policyFileName);
    default:
      return path.posix.join('/etc/practice-messenger', policyFileName);
  }
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
