import type { DeviceRecord, RelayStorage } from './storage/relay-storage.js';
import { RelayError } from './relay-error.js';
import { sameHash, sha256 } from './secrets.js';

export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer ([A-Za-z0-9_-]{1,256})$/.exec(header ?? '');
  return match?.[1] ?? null;
}

/**
 * Resolves a bearer token to an active device. A revoked device is told so: with the wipe flag
 * as 403 `remote_wipe` (every time it calls, until it erases itself), else 401 `device_revoked`.
 */
export async function authenticate(
  storage: RelayStorage,
  token: string | null,
  now: number,
): Promise<DeviceRecord> {
  if (token === null) {
    throw new RelayError('unauthorized', 'Send Authorization: Bearer <token> from enrolment.');
  }
  const tokenHash = sha256(token);
  const device = await storage.findDeviceByTokenHash(tokenHash);
  if (!device || !sameHash(device.tokenHash, tokenHash)) {
    throw new RelayError('unauthorized', 'The token is not known to this relay.');
  }
  if (device.wipe) {
    await storage.markWipeDelivered(device.devicePk, now);
    throw new RelayError(
      'remote_wipe',
      'This device was revoked by an administrator with remote wipe: erase all local data.',
    );
  }
  if (device.status !== 'active' || device.account.status !== 'active') {
    throw new RelayError('device_revoked', 'This device or its account was revoked.');
  }
  return device;
}
