import { protocolLimits } from '../../shared/protocol/index.js';
import { RelayError } from '../relay-error.js';
import { retryWhileBusy } from '../storage/busy-retry.js';
import type { Handler } from './handlers.js';

/**
 * A person's own devices (docs/protocol.md §2a): any active device of an account may list the
 * account's devices and remove another of them, as a person with several PCs does from the one in
 * front of them. Colleagues' devices are out of reach: only the caller's own account is named.
 */
export const ownDevices: Handler<'ownDevices'> = async (services, { device }) => {
  const devices = await services.storage.listAccountDevices(device.accountId);
  return { status: 200, body: { devices } };
};

/**
 * Removal is revocation with remote wipe: the removed PC erases its profile on its next contact,
 * its queue and prekeys go, and senders learn of it through `409 extraDevices`.
 */
export const removeDevice: Handler<'removeDevice'> = async (services, { device, params }) => {
  const deviceId = Number(params.deviceId);
  if (!(deviceId >= 1 && deviceId <= protocolLimits.maxDeviceId)) {
    throw new RelayError('invalid_input', 'deviceId must be an integer 1..127.');
  }
  if (deviceId === device.deviceId) {
    throw new RelayError(
      'forbidden',
      'This is the device making the request: remove it from another of your devices, or ask IT to revoke it.',
    );
  }
  const active = await services.storage.listAccountDevices(device.accountId);
  if (!active.some((d) => d.deviceId === deviceId)) {
    throw new RelayError('not_found', `Your account has no active device ${deviceId}.`);
  }
  const caller = active.find((d) => d.deviceId === device.deviceId);
  // Kept with the removed device, so its wipe screen can say the person removed it, and from where.
  const removedBy = { deviceId: device.deviceId, name: caller?.name ?? null };
  const revoked = await retryWhileBusy(() =>
    services.storage.revoke({
      accountId: device.accountId,
      deviceId,
      wipe: true,
      now: Date.now(),
      removedBy,
    }),
  );
  for (const gone of revoked) services.delivery.revoke(gone.devicePk, gone.wipe, gone.removedBy);
  services.logger.info('device_removed_by_account', {
    accountId: device.accountId,
    deviceId,
    byDeviceId: device.deviceId,
  });
  return { status: 200, body: { removed: deviceId } };
};

/**
 * The profile on a device was wiped after too many wrong passcodes (docs/protocol.md §13.2). The
 * device proves which device it was with the SHA-256 of its bearer token, which it kept in the OS
 * keychain for this alone; the relay records the wipe in the practice trail and revokes the device,
 * which has no profile left to receive messages.
 */
export const wipeReport: Handler<'wipeReport'> = async (services, { body }) => {
  const device = await services.storage.findDeviceByTokenHash(
    Buffer.from(body.tokenHash, 'base64'),
  );
  if (!device || device.status !== 'active' || device.account.status !== 'active') {
    throw new RelayError('not_found', 'No active device has that credential.');
  }
  const now = Date.now();
  // The wiped device has no second chance to tell: wait out a busy chain rather than fail.
  await retryWhileBusy(() =>
    services.storage.appendRelayAudit({
      kind: 'device.passcode_wiped',
      accountId: device.accountId,
      deviceId: device.deviceId,
      now,
      details: { failures: body.failures },
    }),
  );
  const revoked = await retryWhileBusy(() =>
    services.storage.revoke({
      accountId: device.accountId,
      deviceId: device.deviceId,
      wipe: false,
      now,
    }),
  );
  for (const gone of revoked) services.delivery.revoke(gone.devicePk, gone.wipe);
  services.logger.info('device_wiped_after_passcodes', {
    accountId: device.accountId,
    deviceId: device.deviceId,
  });
  return { status: 200, body: { recorded: true, revoked: true } };
};
