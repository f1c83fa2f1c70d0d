import { MessengerError } from '../../shared/errors.js';
import type { GroupSummary } from '../core/messaging/groups/group-service.js';
import type { MessagingCore } from '../core/messaging/messaging-core.js';
import { accountIdOption, CliUsageError, type CliIo } from './cli-command.js';
import { withCore } from './cli-profile.js';

/** A group id as `group create` prints it (a lowercase UUID). */
export function groupIdOption(value: string | boolean | undefined): string {
  if (typeof value !== 'string' || value === '') throw new CliUsageError('--group is required.');
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(value)) {
    throw new MessengerError(
      'invalid_input',
      '--group must be a group id (a lowercase UUID, as `pmsg client group list` shows).',
    );
  }
  return value;
}

/** `--members a,b,c`: account ids separated by commas. */
export function memberListOption(value: string): string[] {
  const ids = value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  if (ids.length === 0) {
    throw new CliUsageError('--members needs at least one account id (comma-separated).');
  }
  return ids.map((id) => accountIdOption(id, 'members'));
}

export function groupJson(group: GroupSummary) {
  return {
    groupId: group.groupId,
    name: group.name,
    version: group.version,
    isMember: group.isMember,
    isAdmin: group.isAdmin,
    disappearingSeconds: group.disappearingSeconds,
    members: group.members.map((m) => ({
      accountId: m.accountId,
      displayName: m.displayName,
      role: m.role,
      admin: m.admin,
    })),
  };
}

/**
 * Sends what a group change queued (1:1 to each member) before the command exits; anything the
 * relay did not take yet stays in the profile's outbox and goes with the next command.
 */
export async function deliverChange(core: MessagingCore): Promise<void> {
  core.start({ receive: false });
  await core.flushOutbox();
}

/**
 * What every group-changing command does around its change: opens the profile, makes the change,
 * sends what it queued (deliverChange), prints the group as JSON and exits 0.
 */
export async function runGroupChange(
  profile: string,
  io: CliIo,
  change: (core: MessagingCore) => Promise<GroupSummary>,
): Promise<number> {
  const group = await withCore(profile, io, async (core) => {
    const changed = await change(core);
    await deliverChange(core);
    return changed;
  });
  io.out(JSON.stringify(groupJson(group)));
  return 0;
}
