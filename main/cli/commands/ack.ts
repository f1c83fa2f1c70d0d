import { MessengerError } from '../../../shared/errors.js';
import { ackLine } from '../../../shared/roles/role-lines.js';
import { stringOption, type CliCommand } from '../cli-command.js';
import { withCore } from '../cli-profile.js';
import { RoleService } from '../../core/roles/role-service.js';

export const command: CliCommand = {
  name: 'ack',
  summary:
    'Acknowledge a message sent to your duty role (its id, as `receive` prints it): the sender ' +
    'sees who acknowledged it and when, and it does not escalate. Acknowledging twice, or after ' +
    'a colleague, is harmless. Prints the acknowledgement (JSON).',
  usage: '--profile <dir> --message <messageId>',
  options: { profile: { type: 'string' }, message: { type: 'string' } },
  required: ['profile', 'message'],
  async run(values, io) {
    const messageId = stringOption(values, 'message');
    if (!/^[A-Za-z0-9_-]{8,64}$/.test(messageId)) {
      throw new MessengerError(
        'invalid_input',
        '--message must be a message id (8-64 letters, digits, _ or -), as `pmsg client receive` prints it.',
      );
    }
    const alert = await withCore(stringOption(values, 'profile'), io, (core) =>
      new RoleService(core).acknowledge(messageId),
    );
    io.out(
      JSON.stringify({
        messageId,
        alertId: alert.alertId,
        state: alert.state,
        acknowledgedBy: alert.acknowledgedByName,
        acknowledgedAt: alert.acknowledgedAt,
        line: ackLine(alert),
      }),
    );
    return 0;
  },
};
