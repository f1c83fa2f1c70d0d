import { MessengerError } from '../../../shared/errors.js';
import { accountIdOption, stringOption, type CliCommand } from '../cli-command.js';
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
    'Print the conversation with a person, one JSON line per message, oldest first. Messages ' +
    'to or through a duty role carry "role" and, when acknowledgement was asked for, "ack" ' +
    '(state, who and when, escalation; asked of the relay first when it is reachable).',
  usage: '--profile <dir> --with <accountId>',
  options: { profile: { type: 'string' }, with: { type: 'string' } },
  required: ['profile', 'with'],
  async run(values, io) {
    const peer = accountIdOption(stringOption(values, 'with'), 'with');
    const profile = await unlockCliProfile(stringOption(values, 'profile'), io);
    try {
      await refreshAlerts(profile, io);
      const conversation = profile.repositories.conversations.findDirect(peer);
      if (!conversation) {
        throw new MessengerError('not_found', 'There is no conversation with that person yet.');
      }
      let cursor = null;
      for (;;) {
        const page = profile.repositories.messages.pageAfter(conversation.id, cursor, 500);
        for (const m of page) {
          io.out(
            JSON.stringify({
              messageId: m.id,
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

/** Learns the acknowledgement state of this sender's role messages; offline, history still prints. */
async function refreshAlerts(profile: OpenProfile, io: Parameters<CliCommand['run']>[1]) {
  if (new RoleMessagesRepository(profile.db).unsettledOutgoing().length === 0) return;
  const core = MessagingCore.open(profile, { logger: createLogger('cli.messaging') });
  try {
    await new RoleService(core).refreshAlerts();
  } catch (error) {
    if (!(isMessengerError(error) && error.code === 'network')) throw error;
    io.err('The relay could not be reached: acknowledgement states are as last known.');
  } finally {
    core.stop();
  }
}
