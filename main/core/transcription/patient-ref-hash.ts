import { createHmac, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { normaliseNhsNumber } from '../../../shared/clinical/nhs-number.js';
import type { SettingsRepository } from '../db/repositories/settings-repository.js';

/** Where the per-profile HMAC key lives: in the settings table, inside the encrypted database. */
export const patientRefKeySetting = 'audit.patientRefHmacKey';
const keyBytes = 32;
const keySchema = z
  .string()
  .regex(/^[A-Za-z0-9+/]{43}=$/, 'a base64 32-byte key')
  .transform((b64) => Buffer.from(b64, 'base64'));

/**
 * The audit log records which patient an entry was about as HMAC-SHA256(profile key, NHS number).
 * A plain hash would not do: there are only ~10^9 valid NHS numbers, so anyone holding the log
 * could hash them all. With a random per-profile key kept inside the encrypted database the hash
 * matches entries about the same patient within this profile and reveals nothing outside it.
 */
export function patientRefHash(
  settings: Pick<SettingsRepository, 'get' | 'set'>,
  nhsNumber: string,
  now: number,
): string {
  const digits = normaliseNhsNumber(nhsNumber);
  if (digits === null) throw new Error('patientRefHash needs a valid NHS number');
  return hashWith(patientRefKey(settings, now), digits);
}

/**
 * The hash this profile would record for a patient, to look their entries up; null when this
 * profile has never recorded a patient (no key yet: nothing it recorded can match). Creates no key.
 */
export function lookUpPatientRefHash(
  settings: Pick<SettingsRepository, 'get'>,
  digits: string,
): string | null {
  const key = settings.get(patientRefKeySetting, keySchema);
  return key === undefined ? null : hashWith(key, digits);
}

function hashWith(key: Buffer, digits: string): string {
  try {
    return `hmac-sha256:${createHmac('sha256', key).update(`nhs:${digits}`).digest('hex')}`;
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
