/**
 * Reads and validates the managed policy. Fail closed: a policy that exists but cannot be read
 * or is wrong in any way stops the app with a message naming the key and what is allowed, because
 * running with defaults would silently drop whatever IT meant to enforce. No policy -> defaults.
 *
 * Where IT sets it, strongest first (a key set in a stronger store wins; the others fill in):
 * Windows: Group Policy in the registry, then the policy.json file; macOS: a configuration
 * profile's managed preferences, then the file; Linux: the file.
 */
import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { MessengerError } from '../../../shared/errors.js';
import {
  managedPreferencesPath,
  managedPreferencesToPolicy,
  readManagedPreferences,
} from './macos-managed-preferences.js';
import { policyOverrideFromArgv, systemPolicyPath } from './policy-location.js';
import {
  defaultPolicy,
  policyKeys,
  policySchema,
  type Policy,
  type PolicyKey,
} from './policy-schema.js';
import {
  parseRegQueryOutput,
  queryRegistryPolicy,
  registryPolicyKey,
  registryValuesToPolicy,
} from './windows-registry-policy.js';

export type PolicySource = 'defaults' | 'system' | 'command-line';

export interface LoadedPolicy {
  policy: Policy;
  source: PolicySource;
  /** The strongest store read (file, registry key or managed preferences), or null for defaults. */
  path: string | null;
  /** Every store that set the policy, strongest first (loadPolicy always fills it in). */
  layers?: string[];
  /** The keys some store set (not their values), sorted; the rest are defaults. */
  keysSet?: string[];
}

export interface PolicyEnvironment {
  argv: readonly string[];
  platform: NodeJS.Platform;
  /** Windows: how to query the registry for the ProgramData folder (tests inject it). */
  queryRegistry?: (key: string, value: string) => string;
  /** Windows: `reg query` output of the policy key, undefined when absent (tests inject it). */
  readRegistryPolicy?: () => string | undefined;
  /** macOS: the managed preferences as JSON, undefined when absent (tests inject it). */
  readManagedPreferences?: () => string | undefined;
  /** The file's text, or undefined when it does not exist; throws when it cannot be read. */
  readText?: (path: string) => string | undefined;
}

interface ManagedLayer {
  where: string;
  values: Record<string, unknown>;
}

export function loadPolicy(environment: PolicyEnvironment): LoadedPolicy {
  const readText = environment.readText ?? readTextIfPresent;
  const systemPath = systemPolicyPath(
    environment.platform,
    environment.queryRegistry ? { queryRegistry: environment.queryRegistry } : {},
  );
  const overridePath = policyOverrideFromArgv(environment.argv);
  const managed = managedLayers(environment, readText, systemPath);

  if (overridePath !== undefined) {
    if (overridePath === '') {
      throw policyError('--policy needs a file: --policy <file>', []);
    }
    // Otherwise anyone able to start the app could swap IT's policy for a laxer one.
    const installed = managed[0];
    if (installed !== undefined) {
      throw policyError(
        `a managed policy is installed at ${installed.where}, so --policy ${overridePath} is refused`,
        ['Edit or remove the managed policy instead.'],
      );
    }
    const overrideText = readOrFail(readText, overridePath);
    if (overrideText === undefined) {
      throw policyError(`the policy file ${overridePath} given with --policy does not exist`, []);
    }
    const values = parsePolicyJson(overrideText, overridePath);
    return {
      policy: validatePolicyObject(values, `the policy at ${overridePath}`),
      source: 'command-line',
      path: overridePath,
      layers: [overridePath],
      keysSet: Object.keys(values).sort(),
    };
  }
  const strongest = managed[0];
  if (strongest === undefined) {
    return { policy: defaultPolicy, source: 'defaults', path: null, layers: [], keysSet: [] };
  }
  // Key by key, the stronger store wins (each layer was validated on its own, so this parses).
  const merged = Object.assign({}, ...managed.map((layer) => layer.values).reverse()) as object;
  return {
    policy: policySchema.parse(merged),
    source: 'system',
    path: strongest.where,
    layers: managed.map((layer) => layer.where),
    keysSet: [...new Set(managed.flatMap((layer) => Object.keys(layer.values)))].sort(),
  };
}

/** The managed stores present on this OS, strongest first, each validated on its own. */
function managedLayers(
  environment: PolicyEnvironment,
  readText: (path: string) => string | undefined,
  systemPath: string,
): ManagedLayer[] {
  const layers: ManagedLayer[] = [];
  if (environment.platform === 'win32') {
    const where = `the registry key ${registryPolicyKey}`;
    const output = readStore(environment.readRegistryPolicy ?? queryRegistryPolicy, where);
    if (output !== undefined) {
      const values = registryValuesToPolicy(parseRegQueryOutput(output));
      // An empty key (every policy "Not configured" again) sets nothing.
      if (Object.keys(values).length > 0) layers.push(checked(values, where));
    }
  }
  if (environment.platform === 'darwin') {
    const where = `the managed preferences ${managedPreferencesPath}`;
    const json = readStore(environment.readManagedPreferences ?? readManagedPreferences, where);
    if (json !== undefined) {
      const values = managedPreferencesToPolicy(json);
      if (Object.keys(values).length > 0) layers.push(checked(values, where));
    }
  }
  const text = readOrFail(readText, systemPath);
  if (text !== undefined) {
    const values = parsePolicyJson(text, systemPath);
    validatePolicyObject(values, `the policy at ${systemPath}`);
    layers.push({ where: systemPath, values });
  }
  return layers;
}

function checked(values: Record<string, unknown>, where: string): ManagedLayer {
  validatePolicyObject(values, `the policy in ${where}`);
  return { where, values };
}

function readStore(read: () => string | undefined, where: string): string | undefined {
  try {
    return read();
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw policyError(`the policy in ${where} exists but cannot be read (${reason})`, []);
  }
}

/** Parses one policy file's text; throws `policy_invalid` naming every bad key. */
export function parsePolicyText(text: string, filePath: string): Policy {
  return validatePolicyObject(parsePolicyJson(text, filePath), `the policy at ${filePath}`);
}

function parsePolicyJson(text: string, filePath: string): Record<string, unknown> {
  let json: unknown;
  try {
    // Notepad on Windows saves UTF-8 with a byte-order mark, which JSON.parse rejects.
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    const reason = error instanceof SyntaxError ? error.message : 'unreadable';
    throw policyError(`the policy at ${filePath} is not valid JSON (${reason})`, []);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw policyError(`the policy at ${filePath} must be a JSON object: { "key": value, ... }`, []);
  }
  return json as Record<string, unknown>;
}

/** Validates one store's keys; throws `policy_invalid` naming every bad key and the store. */
function validatePolicyObject(json: Record<string, unknown>, where: string): Policy {
  const parsed = policySchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.slice(0, 10).map((issue) => describeIssue(issue, json));
  throw policyError(`${where} is invalid`, problems);
}

function describeIssue(issue: z.core.$ZodIssue, json: object): string {
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => `"${k}"`).join(', ');
    return `unknown key ${keys}; allowed keys: ${Object.keys(policyKeys).join(', ')}`;
  }
  const key = issue.path[0];
  if (typeof key === 'string' && key in policyKeys) {
    const value = (json as Record<string, unknown>)[key];
    const where = issue.path.map(String).join('.');
    return `"${where}" is ${preview(value)}: ${issue.message}; allowed: ${policyKeys[key as PolicyKey].allowed}`;
  }
  return issue.message;
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function policyError(headline: string, problems: readonly string[]): MessengerError {
  const lines = [
    `Practice Messenger will not start: ${headline}.`,
    ...problems.map((p) => `  - ${p}`),
    'Fix the policy (every key is described in docs/deployment.md) or remove it to use the defaults.',
  ];
  return new MessengerError('policy_invalid', lines.join('\n'));
}

function readOrFail(
  readText: (path: string) => string | undefined,
  filePath: string,
): string | undefined {
  try {
    return readText(filePath);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw policyError(`the policy at ${filePath} exists but cannot be read (${code})`, []);
  }
}

function readTextIfPresent(filePath: string): string | undefined {
  try {
    return readFileSync(filePath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
