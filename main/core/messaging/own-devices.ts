import { MessengerError } from '../../../shared/errors.js';
import type { CoreContext } from './core-context.js';
import { enqueueSync } from './own-device-sync.js';
import { toMessengerError } from './relay-errors.js';
import { RelayRequestError } from './relay/relay-http.js';

/** One of the person's own devices, as settings and `pmsg client devices` show it. */
export interface OwnDeviceInfo {
  readonly deviceId: number;
  /** The name given at enrolment ("Room 4 PC"); null when none. */
  readonly name: string | null;
  /** When the device last connected to or left the relay, or enrolled (ms); null if unknown. */
  readonly lastSeen: number | null;
  /** This device. */
  readonly current: boolean;
}

/** The person's active devices, as the relay lists them (docs/protocol.md §2a). */
export async function listOwnDevices(ctx: CoreContext): Promise<OwnDeviceInfo[]> {
  try {
    const { devices } = await ctx.http.call('ownDevices');
    return devices.map((d) => ({
      deviceId: d.deviceId,
      name: d.name,
      lastSeen: d.lastSeenAt,
      current: d.deviceId === ctx.account.deviceId,
    }));
  } catch (error) {
    throw toMessengerError(error);
  }
}

/**
 * Removes another device of the person: the relay revokes it with remote wipe, so it erases its
 * profile on next contact, and colleagues drop it on their next send (`409 extraDevices`). This
 * device forgets its session with it and its key at once, so it never encrypts to it again.
 */
export async function removeOwnDevice(ctx: CoreContext, deviceId: number): Promise<void> {
  if (deviceId === ctx.account.deviceId) {
    throw new MessengerError(
      'invalid_input',
      'This is the device you are using: remove it from another of your devices, or ask IT to revoke it.',
    );
  }
  try {
    await ctx.http.call('removeDevice', { params: { deviceId } });
  } catch (error) {
    if (error instanceof RelayRequestError && error.code === 'not_found') {
      throw new MessengerError(
        'not_found',
        `You have no device ${deviceId} (see the device list).`,
      );
    }
    throw toMessengerError(error);
  }
  const { accountId } = ctx.account;
  await ctx.tx(async () => {
    ctx.stores.session.deleteSession(accountId, deviceId);
    ctx.stores.identity.forgetDevice(accountId, deviceId);
    // The person's other devices are told, end to end, and stop encrypting to it too.
    ctx.ownDevices.siblings.delete(deviceId);
    enqueueSync(ctx, accountId, { type: 'device-removed', deviceId }, ctx.now());
  });
  ctx.kickOutbox();
  ctx.logger.info('own_device_removed', { deviceId });
}
