import { MessengerError } from '../../../shared/errors.js';
import { keepWipeReportCredential } from '../../core/audit/wipe-report.js';
import { enrolProfile, hasPendingEnrolment } from '../../core/messaging/enrolment.js';
import { parseRelayUrls } from '../../core/messaging/relay/relay-addresses.js';
import { isLinkCodeShape } from '../../core/messaging/link-code.js';
import { CliUsageError, stringOption, type CliCommand } from '../cli-command.js';
import {
  cliProfileStore,
  createCliProfile,
  singleProfileId,
  unlockCliProfile,
} from '../cli-profile.js';
import type { CliIo } from '../cli-command.js';

export const command: CliCommand = {
  name: 'enrol',
  summary:
    'Create the encrypted profile in <dir> and enrol it with the relay using a one-time code from ' +
    'IT (--code), or a link code made on another of your PCs (--link-code, from `pmsg client ' +
    'link`): then it waits until that PC approves this one by name (unless the policy lets the ' +
    "code alone add a PC), up to the code's 10 minutes.",
  usage:
    '--profile <dir> --server <url>[,<url>...] (--code <code> | --link-code <code>) [--device-name <name>]  (--server may be repeated: the nodes of a hosted relay, tried in order)',
  options: {
    profile: { type: 'string' },
    server: { type: 'string', multiple: true },
    code: { type: 'string' },
    'link-code': { type: 'string' },
    'device-name': { type: 'string' },
  },
  required: ['profile', 'server'],
  async run(values, io) {
    const dir = stringOption(values, 'profile');
    const servers = serverOption(values);
    const code = values.code;
    const linkCode = values['link-code'];
    if ((typeof code === 'string') === (typeof linkCode === 'string')) {
      throw new CliUsageError(
        'give exactly one of --code (from IT) and --link-code (from your other PC).',
      );
    }
    if (typeof linkCode === 'string' && !isLinkCodeShape(linkCode)) {
      throw new CliUsageError(
        '--link-code must be the 16 letters and digits your other PC shows (XXXX-XXXX-XXXX-XXXX).',
      );
    }
    const { store, profile } = await profileToEnrol(dir, io);
    try {
      const deviceName = values['device-name'];
      let told = false;
      const account = await enrolProfile(profile, {
        serverUrl: servers,
        ...(typeof code === 'string' ? { code } : {}),
        ...(typeof linkCode === 'string' ? { linkCode } : {}),
        ...(typeof deviceName === 'string' ? { deviceName } : {}),
        onWaiting: () => {
          if (told) return;
          told = true;
          io.err('Waiting for your other PC to approve this one (pmsg client link --approve)…');
        },
      });
      await keepWipeReportCredential(store, profile).catch(() => undefined);
      io.out(
        JSON.stringify({
          accountId: account.accountId,
          deviceId: account.deviceId,
          displayName: account.displayName,
          role: account.role,
          org: account.org,
        }),
      );
      profile.close();
      return 0;
    } catch (error) {
      if (
        error instanceof MessengerError &&
        error.code === 'network' &&
        hasPendingEnrolment(profile)
      ) {
        // The relay may have redeemed the code and the answer was lost: keep the keys and the
        // request, so the same command finishes without a second code.
        profile.close();
        throw new MessengerError(
          'network',
          `${error.message} The profile in ${dir} is kept: run the same command again to finish enrolling (the code is not spent twice).`,
        );
      }
      // A failed enrolment leaves no half-made profile behind: the folder can be reused.
      profile.close();
      await store.delete(profile.id).catch(() => undefined);
      throw error;
    }
  },
};

/**
 * Every `--server` given (parseArgs collects a repeated option into a list), each of which may
 * itself list addresses separated by commas; checked before any profile is made.
 */
function serverOption(values: Record<string, unknown>): string[] {
  const raw = values.server;
  const list = (Array.isArray(raw) ? raw : [raw]).filter((v): v is string => typeof v === 'string');
  if (list.length === 0 || list.every((v) => v.trim() === '')) {
    throw new CliUsageError('--server is required.');
  }
  try {
    return parseRelayUrls(list).map((url) => url.toString());
  } catch (error) {
    throw new CliUsageError(`--server: ${(error as Error).message}`);
  }
}

/** A new profile, or the folder's profile whose enrolment was sent but never answered. */
async function profileToEnrol(dir: string, io: CliIo) {
  const store = cliProfileStore(dir);
  if (singleProfileId(store, dir) !== null) {
    const profile = await unlockCliProfile(dir, io, store);
    if (hasPendingEnrolment(profile)) return { store, profile };
    profile.close();
  }
  return createCliProfile(dir, io, 'Headless client');
}
