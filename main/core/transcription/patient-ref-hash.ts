import { createHmac, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { normaliseNhsNumber } from '../../../shared/clinical/nhs-number.js';
import type { SettingsRepository } from '../db/repositories/settings-repository.js';

/** Where the per-profile HMAC key lives: in the settings table, inside the encrypted database. */
export const patientRefKeySetting = 'audit.patientRefHmacKey';
/** The practice's key versions this device was given (main/core/audit/patient-key-sync.ts). */
export const practicePatientKeysSetting = 'audit.practicePatientKeys';
const keyBytes = 32;
const keySchema = z
  .string()
  .regex(/^[A-Za-z0-9+/]{43}=$/, 'a base64 32-byte key')
  .transform((b64) => Buffer.from(b64, 'base64'));
const practiceKeysSchema = z.object({
  /** Version → base64 key. */
  keys: z.record(z.string().regex(/^[1-9]\d{0,6}$/), z.string().regex(/^[A-Za-z0-9+/]{43}=$/)),
});
export type PracticePatientKeys = z.infer<typeof practiceKeysSchema>;

/**
 * The audit log records which patient an entry was about as HMAC-SHA256(key, NHS number). A
 * plain hash would not do: there are only ~10^9 valid NHS numbers, so anyone holding the log
 * could hash them all.
 *
 * The key is the practice's (docs/protocol.md §13.1): one random key per version, shared end to
 * end between the practice's clinical, manager and admin devices, so a manager's lookup finds
 * entries recorded on any of them. The hash names its version (`hmac-sha256:practice-v3:…`), and
 * a lookup hashes the number under every version this device holds, so entries stay findable
 * after a rotation. A device without the practice key (reception, or before the key reached it)
 * keys its entries with a random per-profile key (`hmac-sha256:…`): those match only on that
 * device.
 */
export function patientRefHash(
  settings: Pick<SettingsRepository, 'get' | 'set'>,
  nhsNumber: string,
  now: number,
): string {
  const digits = normaliseNhsNumber(nhsNumber);
  if (digits === null) throw new Error('patientRefHash needs a valid NHS number');
  const practice = currentPracticeKey(settings);
  if (practice) return hashWith(practice.key, digits, practice.version);
  return hashWith(patientRefKey(settings, now), digits, null);
}

/**
 * Every hash an entry about this patient may carry that this device can compute: one per
 * practice key version it holds, and its own per-profile key's. Empty when it has no key yet.
 */
export function lookUpPatientRefHashes(
  settings: Pick<SettingsRepository, 'get'>,
  digits: string,
): string[] {
  const hashes = Object.entries(practicePatientKeys(settings).keys).map(([version, b64]) =>
    hashWith(Buffer.from(b64, 'base64'), digits, Number(version)),
  );
  const own = settings.get(patientRefKeySetting, keySchema);
  if (own !== undefined) hashes.push(hashWith(own, digits, null));
  return hashes;
}

/** The practice key version of a hash; null for a per-device one. */
export function patientRefKeyVersion(hash: string): number | null {
  const match = /^hmac-sha256:practice-v(\d+):/.exec(hash);
  return match ? Number(match[1]) : null;
}

export function practicePatientKeys(
  settings: Pick<SettingsRepository, 'get'>,
): PracticePatientKeys {
  return settings.get(practicePatientKeysSetting, practiceKeysSchema) ?? { keys: {} };
}

export function storePracticePatientKeys(
  settings: Pick<SettingsRepository, 'set'>,
  keys: PracticePatientKeys,
  now: number,
): void {
  settings.set(practicePatientKeysSetting, practiceKeysSchema.parse(keys), now);
}

function currentPracticeKey(
  settings: Pick<SettingsRepository, 'get'>,
): { version: number; key: Buffer } | null {
  const versions = Object.keys(practicePatientKeys(settings).keys).map(Number);
  if (versions.length === 0) return null;
  const version = Math.max(...versions);
  return {
    version,
    key: Buffer.from(practicePatientKeys(settings).keys[String(version)]!, 'base64'),
  };
}

function hashWith(key: Buffer, digits: string, version: number | null): string {
  try {
    const hex = createHmac('sha256', key).update(`nhs:${digits}`).digest('hex');
    return version === null ? `hmac-sha256:${hex}` : `hmac-sha256:practice-v${version}:${hex}`;
  } finally {
    key.fill(0);
  }
}

function patientRefKey(settings: Pick<SettingsRepository, 'get' | 'set'>, now: number): Buffer {
  const stored = settings.get(patientRefKeySetting, keySchema);
  if (stored !== undefined) return stored;
  const key = randomBytes(keyBytes);
  settings.set(patientRefKeySetting, key.toString('base64'), now);
  return key;
}
