import { createPidDetector } from '../../../shared/clinical/pid-detector.js';
import { MessengerError } from '../../../shared/errors.js';
import { maxMessageTextLength } from '../../../shared/ipc/message-limits.js';
import { auditSentDespitePid, checkPidBeforeSend } from '../../core/audit/pid-send-guard.js';
import { loadPolicy } from '../../core/policy/load-policy.js';
import { accountIdOption, stringOption, type CliCommand } from '../cli-command.js';
import { withCore } from '../cli-profile.js';

export const command: CliCommand = {
  name: 'send',
  summary:
    "Send a text message; exits once the relay has accepted it. Applies the practice's PID guard: " +
    'under "block" a message with patient identifiers is refused; under "warn" it needs ' +
    '--send-despite-pid (recorded in the audit log, finding kinds only). --policy <file> reads ' +
    'a policy file where no managed policy is installed.',
  usage:
    '--profile <dir> --to <accountId> --text <text> [--urgent] [--send-despite-pid] [--policy <file>]',
  options: {
    profile: { type: 'string' },
    to: { type: 'string' },
    text: { type: 'string' },
    urgent: { type: 'boolean' },
    'send-despite-pid': { type: 'boolean' },
    policy: { type: 'string' },
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
    // The same policy the desktop app obeys (the managed file; --policy only where there is none).
    const { policy } = loadPolicy({
      argv: typeof values.policy === 'string' ? ['--policy', values.policy] : [],
      platform: process.platform,
    });
    const kinds = checkPidBeforeSend({
      policy,
      detect: createPidDetector({ hospitalNumberPatterns: policy.hospitalNumberPatterns }),
      text,
      sendDespitePid: values['send-despite-pid'] === true,
      howToConfirm: 'send it again with --send-despite-pid',
    });
    const sent = await withCore(stringOption(values, 'profile'), io, async (core, profile) => {
      const conversation = await core.openDirect(to);
      const message = await core.sendText(conversation.id, text, {
        urgent: values.urgent === true,
      });
      auditSentDespitePid(profile.repositories.audit, {
        at: message.sentAt,
        actorAccountId: core.account.accountId,
        conversationId: conversation.id,
        messageId: message.id,
        kinds,
        origin: 'cli',
        pidGuard: policy.pidGuard,
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
