import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { events, methods } from '../../../shared/ipc/contract.js';
import {
  eventChannel,
  eventNames,
  methodChannel,
  methodNames,
  methodsByArea,
} from '../../../shared/ipc/names.js';

describe('the IPC contract', () => {
  it('has exactly the methods and events named in names.ts', () => {
    expect(Object.keys(methods).sort()).toEqual([...methodNames].sort());
    expect(Object.keys(events).sort()).toEqual([...eventNames].sort());
  });

  it('puts every method in exactly one area', () => {
    const grouped = Object.values(methodsByArea).flat();
    expect(new Set(grouped).size).toBe(grouped.length);
    expect([...grouped].sort()).toEqual(Object.keys(methods).sort());
  });

  it('gives every method and event its own namespaced channel', () => {
    const channels = [...methodNames.map(methodChannel), ...eventNames.map(eventChannel)];
    expect(new Set(channels).size).toBe(channels.length);
    for (const channel of channels) expect(channel).toMatch(/^pm:[a-z:]*[a-zA-Z]+\.[a-zA-Z]+$/);
    expect(methodChannel('profiles.unlock')).toBe('pm:profiles.unlock');
    expect(eventChannel('message.added')).toBe('pm:event:message.added');
  });

  it('lets a locked app answer only app info, policy and the profile picker', () => {
    const whileLocked = methodNames.filter((m) => methods[m].access === 'locked').sort();
    expect(whileLocked).toEqual([
      'app.info',
      'policy.get',
      'profiles.create',
      'profiles.delete',
      'profiles.list',
      'profiles.lock',
      'profiles.unlock',
    ]);
  });

  // The renderer never receives key material, tokens or ciphertext: no response or event schema
  // even has a field that could carry them.
  it('has no response or event field that could carry a key, token or ciphertext', () => {
    const suspicious = /key|token|cipher|secret|passcode|envelope|salt|seed/i;
    // Policy limits that merely mention the word: reviewed, not secrets.
    const reviewed = new Set(['maxPasscodeAttempts']);
    const fields = [
      ...methodNames.flatMap((m) => fieldNames(methods[m].response)),
      ...eventNames.flatMap((e) => fieldNames(events[e])),
    ];
    expect(fields.length).toBeGreaterThan(30);
    expect(fields.filter((name) => suspicious.test(name) && !reviewed.has(name))).toEqual([]);
  });

  it('rejects unknown request fields (strict requests)', () => {
    for (const name of methodNames) {
      const result = methods[name].request.safeParse({ unexpectedField: 1 });
      expect(result.success, name).toBe(false);
    }
  });
});

/** Every object key anywhere inside a schema. */
function fieldNames(schema: z.ZodType): string[] {
  const def = (schema as unknown as { _zod: { def: Record<string, unknown> } })._zod.def;
  const names: string[] = [];
  const visit = (inner: unknown) => {
    if (inner && typeof inner === 'object' && '_zod' in inner)
      names.push(...fieldNames(inner as z.ZodType));
  };
  if (def['type'] === 'object') {
    const shape = def['shape'] as Record<string, unknown>;
    for (const [key, inner] of Object.entries(shape)) {
      names.push(key);
      visit(inner);
    }
  }
  for (const key of ['innerType', 'element', 'in', 'out', 'schema']) visit(def[key]);
  if (Array.isArray(def['options'])) def['options'].forEach(visit);
  return names;
}
