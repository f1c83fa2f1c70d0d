import { MessengerError } from '../../../shared/errors.js';
import { secondsOption, stringOption, type CliCommand } from '../cli-command.js';
import { replacedExplanation } from '../../core/messaging/relay-errors.js';
import { withCore } from '../cli-profile.js';

/** How long past --timeout to wait for the relay's queue before giving up. */
const drainGraceMs = 30_000;

export const command: CliCommand = {
  name: 'receive',
  summary:
    'Receive messages: one JSON line per new message; exits when the queue is drained and the timeout has passed.',
  usage: '--profile <dir> [--timeout <seconds>]',
  options: { profile: { type: 'string' }, timeout: { type: 'string' } },
  required: ['profile'],
  async run(values, io) {
    const timeoutMs = secondsOption(values.timeout, 0) * 1000;
    await withCore(stringOption(values, 'profile'), io, async (core) => {
      core.events.on((event) => {
        if (event.type !== 'message.added' || event.message.direction !== 'incoming') return;
        const m = event.message;
        io.out(
          JSON.stringify({
            messageId: m.id,
            from: m.senderAccountId,
            sentAt: m.sentAt,
            text: m.body,
          }),
        );
      });
      const drained = core.events.next('queue.drained');
      const stopped = core.events.next('account.stopped');
      core.start();
      const started = Date.now();
      const outcome = await Promise.race([
        drained.then(() => 'drained' as const),
        stopped.then((e) => e.reason),
        new Promise<'late'>((resolve) =>
          setTimeout(() => resolve('late'), timeoutMs + drainGraceMs).unref(),
        ),
      ]);
      if (outcome === 'late') {
        throw new MessengerError(
          'network',
          `The relay did not deliver its queue within ${Math.round((timeoutMs + drainGraceMs) / 1000)} s; check that it is reachable.`,
        );
      }
      if (outcome === 'replaced') throw new MessengerError('conflict', replacedExplanation);
      if (outcome !== 'drained') {
        throw new MessengerError(
          'unauthorized',
          `The relay no longer accepts this device (${outcome}). Ask your practice manager to enrol it again.`,
        );
      }
      const remaining = timeoutMs - (Date.now() - started);
      if (remaining > 0) await new Promise((resolve) => setTimeout(resolve, remaining));
      // Delivery receipts for what was stored go out before the process ends.
      await core.flushOutbox();
    });
    return 0;
  },
};
