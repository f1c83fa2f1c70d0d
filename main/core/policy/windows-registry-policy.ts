/**
 * The managed policy as Group Policy (or Intune's ADMX ingestion) writes it: one registry value
 * per key under HKLM\SOFTWARE\Policies\PracticeMessenger, set by the templates in
 * build/policy-templates. Read with `reg query`, whose output this parses: HKLM\SOFTWARE\Policies
 * is writable by administrators only, so no user can add or loosen a value there.
 */
import { execFileSync } from 'node:child_process';
import { MessengerError } from '../../../shared/errors.js';
import { fromManagedStore, policyKindsByKey, type PolicyKind } from './policy-kinds.js';
import type { PolicyKey } from './policy-schema.js';

/** The key the ADMX templates write to (the `key` of every policy in them). */
export const registryPolicyKey = 'HKLM\\SOFTWARE\\Policies\\PracticeMessenger';
export const registryPolicyKeyPath = 'SOFTWARE\\Policies\\PracticeMessenger';

/** reg.exe by absolute path: resolving it through %PATH% would trust the user's environment. */
const regExe = 'C:\\Windows\\System32\\reg.exe';

export interface RegistryValue {
  name: string;
  type: string;
  data: string;
}

/**
 * The values listed by `reg query <key>`: lines of four-space separated name, type and data
 * under the key's own heading. Subkeys (their own headings) are not policy values.
 */
export function parseRegQueryOutput(output: string): RegistryValue[] {
  const values: RegistryValue[] = [];
  let headings = 0;
  for (const line of output.split(/\r?\n/)) {
    // Only the first heading is the key itself; any later one is a subkey.
    if (/^HKEY_/i.test(line)) headings += 1;
    const match = /^ {4}(.+?) {4}(REG_[A-Z_]+)(?: {4}(.*))?$/.exec(line);
    if (match && headings === 1) {
      values.push({ name: match[1] ?? '', type: match[2] ?? '', data: match[3] ?? '' });
    }
  }
  return values;
}

/**
 * Turns the registry values into a policy object (still to be validated by the schema), or
 * throws `policy_invalid` naming the value whose registry type does not fit its key.
 */
export function registryValuesToPolicy(values: readonly RegistryValue[]): Record<string, unknown> {
  const policy: Record<string, unknown> = {};
  for (const value of values) {
    // `(Default)` is the key's unnamed value, which no template writes; ignore it as reg.exe's.
    if (value.name === '(Default)') continue;
    const kind = (policyKindsByKey as Record<string, PolicyKind | undefined>)[value.name];
    // Unknown names pass through so that the schema refuses them with the list of allowed keys.
    policy[value.name] = kind ? fromManagedStore(kind, convert(value, kind)) : value.data;
  }
  return policy;
}

function convert(value: RegistryValue, kind: PolicyKind): unknown {
  const expected = expectedType(kind);
  if (value.type !== expected && !(expected === 'REG_DWORD' && value.type === 'REG_QWORD')) {
    throw new MessengerError(
      'policy_invalid',
      `Practice Messenger will not start: the registry value ${registryPolicyKey}\\${value.name} is ${value.type}; ${value.name as PolicyKey} must be ${expected}.\n` +
        'Set it with the Practice Messenger Group Policy template (build/policy-templates), or delete the value.',
    );
  }
  switch (kind.type) {
    case 'integer':
    case 'boolean': {
      const n = Number.parseInt(value.data, 16);
      const number = /^0x[0-9a-f]+$/i.test(value.data) ? n : Number.NaN;
      // Booleans: 1 and 0 as the templates write them; anything else is left for the schema to refuse.
      if (kind.type === 'boolean') return number === 1 ? true : number === 0 ? false : number;
      return number;
    }
    case 'list':
      // reg.exe separates the strings of a REG_MULTI_SZ with a literal \0.
      return value.data === '' ? [] : value.data.split('\\0');
    case 'string':
    case 'enum':
      return value.data;
  }
}

function expectedType(kind: PolicyKind): string {
  switch (kind.type) {
    case 'integer':
    case 'boolean':
      return 'REG_DWORD';
    case 'list':
      return 'REG_MULTI_SZ';
    case 'string':
    case 'enum':
      return 'REG_SZ';
  }
}

/**
 * `reg query` on the policy key: its output, or undefined when the key does not exist (reg.exe
 * exits 1 and prints nothing on stdout). Any other failure throws, so the loader fails closed.
 */
export function queryRegistryPolicy(): string | undefined {
  try {
    return execFileSync(regExe, ['query', registryPolicyKey, '/reg:64'], {
      encoding: 'utf8',
      timeout: 5_000,
      windowsHide: true,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch (error) {
    const failed = error as { status?: number | null; stdout?: string };
    if (failed.status === 1 && (failed.stdout ?? '').trim() === '') return undefined;
    throw error;
  }
}
