/**
 * Reads and validates the managed policy. Fail closed: a policy that exists but cannot be read
 * or is wrong in any way stops the app with a message naming the key and what is allowed, because
 * running with defaults would silently drop whatever IT meant to enforce. No file -> defaults.
 */
import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { MessengerError } from '../../../shared/errors.js';
import { policyOverrideFromArgv, systemPolicyPath } from './policy-location.js';
import {
  defaultPolicy,
  policyKeys,
  policySchema,
  type Policy,
  type PolicyKey,
} from './policy-schema.js';

export type PolicySource = 'defaults' | 'system' | 'command-line';

export interface LoadedPolicy {
  policy: Policy;
  source: PolicySource;
  /** The file read, or null for the built-in defaults. */
  path: string | null;
}

export interface PolicyEnvironment {
  argv: readonly string[];
  platform: NodeJS.Platform;
  /** Windows: how to query the registry for the ProgramData folder (tests inject it). */
  queryRegistry?: (key: string, value: string) => string;
  /** The file's text, or undefined when it does not exist; throws when it cannot be read. */
  readText?: (path: string) => string | undefined;
}

export function loadPolicy(environment: PolicyEnvironment): LoadedPolicy {
  const readText = environment.readText ?? readTextIfPresent;
  const systemPath = systemPolicyPath(
    environment.platform,
    environment.queryRegistry ? { queryRegistry: environment.queryRegistry } : {},
  );
  const overridePath = policyOverrideFromArgv(environment.argv);
  const systemText = readOrFail(readText, systemPath);

  if (overridePath !== undefined) {
    if (overridePath === '') {
      throw policyError('--policy needs a file: --policy <file>', []);
    }
    // Otherwise anyone able to start the app could swap IT's policy for a laxer one.
    if (systemText !== undefined) {
      throw policyError(
        `a managed policy is installed at ${systemPath}, so --policy ${overridePath} is refused`,
        ['Edit or remove the managed policy instead.'],
      );
    }
    const overrideText = readOrFail(readText, overridePath);
    if (overrideText === undefined) {
      throw policyError(`the policy file ${overridePath} given with --policy does not exist`, []);
    }
    return {
      policy: parsePolicyText(overrideText, overridePath),
      source: 'command-line',
      path: overridePath,
    };
  }
  if (systemText === undefined) return { policy: defaultPolicy, source: 'defaults', path: null };
  return { policy: parsePolicyText(systemText, systemPath), source: 'system', path: systemPath };
}

/** Parses one policy file's text; throws `policy_invalid` naming every bad key. */
export function parsePolicyText(text: string, filePath: string): Policy {
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
  const parsed = policySchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.slice(0, 10).map((issue) => describeIssue(issue, json));
  throw policyError(`the policy at ${filePath} is invalid`, problems);
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
    'Fix the policy file (every key is described in docs/deployment.md) or remove it to use the defaults.',
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
