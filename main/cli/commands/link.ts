import { MessengerError } from '../../../shared/errors.js';
import type { LinkStatus } from '../../core/messaging/device-link.js';
import type { MessagingCore } from '../../core/messaging/messaging-core.js';
import { loadPolicy } from '../../core/policy/load-policy.js';
import { CliUsageError, stringOption, type CliCommand } from '../cli-command.js';
import { withCore } from '../cli-profile.js';

export const command: CliCommand = {
  name: 'link',
  summary:
    'Link a new PC of yours. Without options: make a one-time link code (10 minutes, single use; ' +
    'a new one replaces the last) and print {"code","expiresAt","approvalRequired"}; type it on ' +
    'the new PC with `pmsg client enrol --link-code`. --status prints {"state","expiresAt",' +
    '"asking":{"deviceName","verified"}|null,"deviceId"}. --approve or --refuse waits (up to ' +
    '--wait seconds, default 60) for the new PC to ask, then decides and prints {"decision",' +
    '"deviceName","deviceId"}; a PC that did not prove it has the code is always refused. The ' +
    "policy's maxDevicesPerPerson caps your devices and linkWithoutApproval lets the code alone " +
    'add a PC; --policy <file> reads a policy file where no managed policy is installed.',
  usage: '--profile <dir> [--status | --approve | --refuse] [--wait <seconds>] [--policy <file>]',
  options: {
    profile: { type: 'string' },
    status: { type: 'boolean' },
    approve: { type: 'boolean' },
    refuse: { type: 'boolean' },
    wait: { type: 'string' },
    policy: { type: 'string' },
  },
  required: ['profile'],
  async run(values, io) {
    const modes = (['status', 'approve', 'refuse'] as const).filter((m) => values[m] === true);
    if (modes.length > 1)
      throw new CliUsageError('give at most one of --status, --approve, --refuse.');
    const mode = modes[0] ?? 'create';
    const waitSeconds = waitOption(values.wait);
    const { policy } = loadPolicy({
      argv: typeof values.policy === 'string' ? ['--policy', values.policy] : [],
      platform: process.platform,
    });
    const output = await withCore(stringOption(values, 'profile'), io, async (core) => {
      if (mode === 'create') {
        return core.createDeviceLink({
          approvalRequired: !policy.linkWithoutApproval,
          maxDevices: policy.maxDevicesPerPerson,
        });
      }
      if (mode === 'status') return statusJson(await core.deviceLinkStatus());
      const asking = await waitForRequest(core, waitSeconds);
      const decided = await core.decideDeviceLink(mode === 'approve');
      return {
        decision: decided.state === 'refused' ? 'refused' : 'approved',
        deviceName: asking.asking?.deviceName ?? null,
        deviceId: decided.deviceId,
      };
    });
    io.out(JSON.stringify(output));
    return 0;
  },
};

function statusJson(status: LinkStatus | null) {
  if (status === null) return null;
  return {
    state: status.state,
    expiresAt: status.expiresAt,
    approvalRequired: status.approvalRequired,
    asking:
      status.asking === null
        ? null
        : { deviceName: status.asking.deviceName, verified: status.asking.verified },
    deviceId: status.deviceId,
  };
}

/** The new PC may not have typed the code yet: ask the relay again until it has, or time is up. */
async function waitForRequest(core: MessagingCore, seconds: number): Promise<LinkStatus> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const status = await core.deviceLinkStatus();
    if (status === null) {
      throw new MessengerError(
        'not_found',
        'This PC has no link code: make one with `pmsg client link`.',
      );
    }
    if (status.state !== 'open') return status;
    if (Date.now() >= deadline || status.expiresAt <= Date.now()) {
      throw new MessengerError(
        'not_found',
        'No PC has entered the link code yet. Type it on the new PC (`pmsg client enrol --link-code`), then approve again.',
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

function waitOption(value: string | boolean | undefined): number {
  if (value === undefined) return 60;
  const n = typeof value === 'string' && /^[0-9]{1,4}$/.test(value) ? Number(value) : NaN;
  if (!(n >= 0 && n <= 600))
    throw new CliUsageError('--wait must be a number of seconds from 0 to 600.');
  return n;
}
