import { randomInt } from 'node:crypto';
import { IdentityKeyPair } from '@signalapp/libsignal-client';
import type { SqlDatabase } from '../db/encrypted-database.js';
import {
  OwnIdentityRepository,
  type OwnIdentityRecord,
} from '../db/repositories/own-identity-repository.js';

/**
 * Generates and stores this device's long-term Signal identity and registration id. Done once
 * per profile, at enrolment; the identity never leaves the encrypted database.
 */
export function createLocalIdentity(
  db: SqlDatabase,
  options: { deviceId: number; accountId?: string | null; now?: number },
): OwnIdentityRecord {
  const record: OwnIdentityRecord = {
    accountId: options.accountId ?? null,
    deviceId: options.deviceId,
    // libsignal registration ids are 14-bit and non-zero.
    registrationId: randomInt(1, 16381),
    identityKeyPair: Buffer.from(IdentityKeyPair.generate().serialize()),
    createdAt: options.now ?? Date.now(),
  };
  new OwnIdentityRepository(db).create(record);
  return record;
}
