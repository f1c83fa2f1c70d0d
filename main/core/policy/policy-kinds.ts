/**
 * The shape of each policy key as the OS policy stores see it (Windows registry, macOS managed
 * preferences), derived from the zod schema so that policy-schema.ts stays the one source.
 * Those stores have no null: a nullable key is written as 0 (numbers whose range starts above 0)
 * or as an empty string, and `fromManagedStore` turns that back into null.
 */
import { z } from 'zod';
import { policyKeys, type PolicyKey } from './policy-schema.js';

export type PolicyKind =
  | { type: 'string'; nullable: boolean; maxLength: number | undefined }
  | { type: 'enum'; nullable: boolean; values: readonly string[] }
  | { type: 'integer'; nullable: boolean; min: number; max: number }
  | { type: 'boolean'; nullable: boolean }
  | { type: 'list'; nullable: boolean; maxItems: number; maxLength: number | undefined };

interface JsonSchema {
  type?: string | string[];
  anyOf?: JsonSchema[];
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  maxItems?: number;
  items?: JsonSchema;
}

export function policyKind(key: PolicyKey): PolicyKind {
  // The input side: what IT writes, before transforms (fingerprint colons, trailing slashes).
  const json = z.toJSONSchema(policyKeys[key].schema, {
    io: 'input',
    unrepresentable: 'any',
  }) as JsonSchema;
  const variants = json.anyOf ?? [json];
  const isNull = (s: JsonSchema) => s.type === 'null';
  const nullable =
    variants.some(isNull) || (Array.isArray(json.type) && json.type.includes('null'));
  const main = variants.find((s) => !isNull(s)) ?? {};
  const type = Array.isArray(main.type) ? main.type.find((t) => t !== 'null') : main.type;
  switch (type) {
    case 'string':
      return main.enum
        ? { type: 'enum', nullable, values: main.enum.map(String) }
        : { type: 'string', nullable, maxLength: main.maxLength };
    case 'integer':
      return {
        type: 'integer',
        nullable,
        min: main.minimum ?? 0,
        max: main.maximum ?? 0xffffffff,
      };
    case 'boolean':
      return { type: 'boolean', nullable };
    case 'array':
      return {
        type: 'list',
        nullable,
        maxItems: main.maxItems ?? 1000,
        maxLength: main.items?.maxLength,
      };
    default:
      throw new Error(`policy key ${key} has a type the OS policy stores cannot hold (${type})`);
  }
}

export const policyKindsByKey: { readonly [K in PolicyKey]: PolicyKind } = Object.fromEntries(
  (Object.keys(policyKeys) as PolicyKey[]).map((key) => [key, policyKind(key)]),
) as { [K in PolicyKey]: PolicyKind };

/** How null is written in a store without null, or undefined when the key cannot be null. */
export function managedNullSpelling(kind: PolicyKind): 0 | '' | undefined {
  if (!kind.nullable) return undefined;
  if (kind.type === 'integer') return kind.min > 0 ? 0 : undefined;
  if (kind.type === 'string' || kind.type === 'enum') return '';
  return undefined;
}

/** A value read from the registry or managed preferences, with the null spelling undone. */
export function fromManagedStore(kind: PolicyKind, value: unknown): unknown {
  const spelling = managedNullSpelling(kind);
  return spelling !== undefined && value === spelling ? null : value;
}
