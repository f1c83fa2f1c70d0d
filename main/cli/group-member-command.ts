import type { GroupSummary } from '../core/messaging/groups/group-service.js';
import type { MessagingCore } from '../core/messaging/messaging-core.js';
import { accountIdOption, stringOption, type CliCommand } from './cli-command.js';
import { groupIdOption, runGroupChange } from './group-cli.js';

/**
 * `group add` and `group remove` take the same options and print the same JSON; only the change
 * they make to the member list differs, so both are built here from that change.
 */
export function groupMemberCommand(spec: {
  name: string;
  summary: string;
  change: (core: MessagingCore, groupId: string, member: string) => Promise<GroupSummary>;
}): CliCommand {
  return {
    name: spec.name,
    summary: spec.summary,
    usage: '--profile <dir> --group <groupId> --member <accountId>',
    options: { profile: { type: 'string' }, group: { type: 'string' }, member: { type: 'string' } },
    required: ['profile', 'group', 'member'],
    async run(values, io) {
      const groupId = groupIdOption(values.group);
      const member = accountIdOption(stringOption(values, 'member'), 'member');
      return runGroupChange(stringOption(values, 'profile'), io, (core) =>
        spec.change(core, groupId, member),
      );
    },
  };
}
