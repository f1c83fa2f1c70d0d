import type { WireRemovedBy } from '../shared/protocol/frames.js';
import type { DeviceRecord, RelayStorage, RemovedBy } from './storage/relay-storage.js';
import { RelayError } from './relay-error.js';
import { sameHash, sha256 } from './secrets.js';

export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer ([A-Za-z0-9_-]{1,256})$/.exec(header ?? '');
  return match?.[1] ?? null;
}

/**
 * What a wiped device is told about who removed it (docs/protocol.md §2a): `removedBy` names the
 * person's own device that did, and is absent when IT or an administrator revoked it.
 */
export function wipeDetails(device: DeviceRecord): Record<string, unknown> | undefined {
  return device.removedBy ? wipeFrameDetails(device, device.removedBy) : undefined;
}

/** The same `removedBy` for the WebSocket wipe frame and the 403 details. */
export function wipeFrameDetails(
  device: DeviceRecord,
  removedBy: RemovedBy | null,
): { removedBy?: WireRemovedBy } {
  if (!removedBy) return {};
  return {
    removedBy: {
      displayName: device.account.displayName,
      deviceId: removedBy.deviceId,
      deviceName: removedBy.name,
    },
  };
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
      device.removedBy
        ? 'This device was removed by its person from another of their devices: erase all local data.'
        : 'This device was revoked by an administrator with remote wipe: erase all local data.',
      wipeDetails(device),
    );
  }
  if (device.status !== 'active' || device.account.status !== 'active') {
    throw new RelayError('device_revoked', 'This device or its account was revoked.');
  }
  return device;
}
