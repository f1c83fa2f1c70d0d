import { MessengerError } from '../../../shared/errors.js';
import { accountIdOption, stringOption, type CliCommand } from '../cli-command.js';
import { unlockCliProfile } from '../cli-profile.js';

export const command: CliCommand = {
  name: 'history',
  summary: 'Print the conversation with a person, one JSON line per message, oldest first.',
  usage: '--profile <dir> --with <accountId>',
  options: { profile: { type: 'string' }, with: { type: 'string' } },
  required: ['profile', 'with'],
  async run(values, io) {
    const peer = accountIdOption(stringOption(values, 'with'), 'with');
    const profile = await unlockCliProfile(stringOption(values, 'profile'), io);
    try {
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
