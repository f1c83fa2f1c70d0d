import { protocolLimits } from '../../shared/protocol/index.js';
import { RelayError } from '../relay-error.js';
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
  const revoked = await services.storage.revoke({
    accountId: device.accountId,
    deviceId,
    wipe: true,
    now: Date.now(),
  });
  for (const gone of revoked) services.delivery.revoke(gone.devicePk, gone.wipe);
  services.logger.info('device_removed_by_account', {
    accountId: device.accountId,
    deviceId,
    byDeviceId: device.deviceId,
  });
  return { status: 200, body: { removed: deviceId } };
};
