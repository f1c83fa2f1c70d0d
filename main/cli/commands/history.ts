import { MessengerError } from '../../../shared/errors.js';
import { accountIdOption, CliUsageError, stringOption, type CliCommand } from '../cli-command.js';
import { groupIdOption } from '../group-cli.js';
import { unlockCliProfile } from '../cli-profile.js';
import { MessagingCore } from '../../core/messaging/messaging-core.js';
import { createLogger } from '../../core/log/logger.js';
import type { OpenProfile } from '../../core/profile/open-profile.js';
import { roleFields } from '../role-fields.js';
import { RoleService } from '../../core/roles/role-service.js';
import { RoleMessagesRepository } from '../../core/db/repositories/role-messages-repository.js';
import { isMessengerError } from '../../../shared/errors.js';

export const command: CliCommand = {
  name: 'history',
  summary:
    'Print the conversation with a person (--with) or a group (--group), one JSON line per ' +
    'message, oldest first; group lines carry the groupId, and notices of membership changes ' +
    'have "kind": "notice". Messages to or through a duty role carry "role" and, when ' +
    'acknowledgement was asked for, "ack" (state, who and when, escalation; asked of the relay ' +
    'first when it is reachable).',
  usage: '--profile <dir> (--with <accountId> | --group <groupId>)',
  options: { profile: { type: 'string' }, with: { type: 'string' }, group: { type: 'string' } },
  required: ['profile'],
  async run(values, io) {
    if (values.with === undefined && values.group === undefined) {
      throw new CliUsageError('--with is required (or --group <groupId> for a group).');
    }
    if (values.with !== undefined && values.group !== undefined) {
      throw new CliUsageError('Give only one of --with <accountId> and --group <groupId>.');
    }
    const peer =
      values.with === undefined ? null : accountIdOption(stringOption(values, 'with'), 'with');
    const groupId = values.group === undefined ? null : groupIdOption(values.group);
    const profile = await unlockCliProfile(stringOption(values, 'profile'), io);
    try {
      await refreshAlerts(profile, io);
      const conversation =
        peer !== null
          ? profile.repositories.conversations.findDirect(peer)
          : profile.repositories.conversations.get(groupId as string);
      if (!conversation || (groupId !== null && conversation.kind !== 'group')) {
        throw new MessengerError(
          'not_found',
          peer !== null
            ? 'There is no conversation with that person yet.'
            : 'This profile knows no such group (run `receive` to learn of new groups).',
        );
      }
      let cursor = null;
      for (;;) {
        const page = profile.repositories.messages.pageAfter(conversation.id, cursor, 500);
        for (const m of page) {
          io.out(
            JSON.stringify({
              messageId: m.id,
              ...(groupId ? { groupId } : {}),
              ...(m.kind === 'text' ? {} : { kind: m.kind }),
              from: m.senderAccountId,
              direction: m.direction,
              sentAt: m.sentAt,
              status: m.status,
              text: m.body,
              ...(m.urgent ? { urgent: true } : {}),
              ...roleFields(profile.db, profile.repositories.contacts, m.id),
            }),
          );
        }
        const last = page.at(-1);
        if (!last || page.length < 500) break;
        cursor = { sentAt: last.sentAt, id: last.id };
      }
      return 0;
    } finally {
      profile.close();
    }
  },
};

/**
 * Learns the acknowledgement state of this sender's role messages, and of role messages received
 * here that a colleague may have acknowledged; offline, history still prints.
 */
async function refreshAlerts(profile: OpenProfile, io: Parameters<CliCommand['run']>[1]) {
  const repo = new RoleMessagesRepository(profile.db);
  const received = repo.incomingOpen(Date.now() - 24 * 3600_000).length > 0;
  if (repo.unsettledOutgoing().length === 0 && !received) return;
  const core = MessagingCore.open(profile, { logger: createLogger('cli.messaging') });
  try {
    const roles = new RoleService(core);
    await roles.refreshAlerts();
    if (received) await roles.syncReceivedAlerts({ reseal: false });
  } catch (error) {
    if (!(isMessengerError(error) && error.code === 'network')) throw error;
    io.err('The relay could not be reached: acknowledgement states are as last known.');
  } finally {
    core.stop();
  }
}
