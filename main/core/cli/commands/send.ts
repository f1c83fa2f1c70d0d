import { MessengerError } from '../../../../shared/errors.js';
import { maxMessageTextLength } from '../../../../shared/ipc/message-limits.js';
import { accountIdOption, stringOption, type CliCommand } from '../cli-command.js';
import { withCore } from '../cli-profile.js';

export const command: CliCommand = {
  name: 'send',
  summary: 'Send a text message; exits once the relay has accepted it.',
  usage: '--profile <dir> --to <accountId> --text <text>',
  options: {
    profile: { type: 'string' },
    to: { type: 'string' },
    text: { type: 'string' },
    urgent: { type: 'boolean' },
  },
  required: ['profile', 'to', 'text'],
  async run(values, io) {
    const to = accountIdOption(stringOption(values, 'to'), 'to');
    const text = stringOption(values, 'text');
    if (text.length > maxMessageTextLength) {
      throw new MessengerError(
        'invalid_input',
        `--text is ${text.length} characters; the limit is ${maxMessageTextLength}.`,
      );
    }
    const sent = await withCore(stringOption(values, 'profile'), io, async (core) => {
      const conversation = await core.openDirect(to);
      const message = await core.sendText(conversation.id, text, {
        urgent: values.urgent === true,
      });
      // Also resumes anything an earlier run left in the outbox.
      core.start({ receive: false });
      return core.whenSent(message.id);
    });
    if (sent.status === 'failed') {
      throw new MessengerError('network', sent.failureReason ?? 'The message could not be sent.');
    }
    io.out(JSON.stringify({ messageId: sent.id, status: 'sent' }));
    return 0;
  },
};
