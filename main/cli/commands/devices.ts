import { CliUsageError, stringOption, type CliCommand } from '../cli-command.js';
import { withCore } from '../cli-profile.js';

export const command: CliCommand = {
  name: 'devices',
  summary:
    'List your own devices (JSON array: deviceId, name, lastSeen in ms or null, current). ' +
    'With --remove <deviceId>, revoke that other device on the relay (with remote wipe; ' +
    'colleagues stop encrypting to it) and print {"removed": id, "devices": [...]}.',
  usage: '--profile <dir> [--remove <deviceId>]',
  options: { profile: { type: 'string' }, remove: { type: 'string' } },
  required: ['profile'],
  async run(values, io) {
    const remove = values.remove === undefined ? null : deviceIdOption(values.remove);
    const result = await withCore(stringOption(values, 'profile'), io, async (core) => {
      if (remove !== null) await core.removeOwnDevice(remove);
      return core.ownDevices();
    });
    const devices = result.map((d) => ({
      deviceId: d.deviceId,
      name: d.name,
      lastSeen: d.lastSeen,
      current: d.current,
    }));
    io.out(JSON.stringify(remove === null ? devices : { removed: remove, devices }));
    return 0;
  },
};

function deviceIdOption(value: string | boolean): number {
  const id = typeof value === 'string' && /^[0-9]{1,3}$/.test(value) ? Number(value) : NaN;
  if (!(id >= 1 && id <= 127)) {
    throw new CliUsageError(
      '--remove must be a device id from 1 to 127, as `pmsg client devices --profile <dir>` lists.',
    );
  }
  return id;
}
