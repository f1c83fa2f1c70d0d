import { MessengerError } from '../../../shared/errors.js';
import { secondsOption, stringOption, type CliCommand } from '../cli-command.js';
import { replacedExplanation } from '../../core/messaging/relay-errors.js';
import { withCore } from '../cli-profile.js';
import { saveAttachment, saveFolder } from '../attachment-files.js';
import { roleFields } from '../role-fields.js';

/** How long past --timeout to wait for the relay's queue before giving up. */
const drainGraceMs = 30_000;

export const command: CliCommand = {
  name: 'receive',
  summary:
    'Receive messages: one JSON line per new message; exits when the queue is drained, every file ' +
    'has been fetched and the timeout has passed. With --save-to, received files are written to ' +
    'that folder (never over an existing file) and their paths printed as "file". A message of ' +
    'a group carries its "groupId"; notices of group changes have "kind": "notice".',
  usage: '--profile <dir> [--timeout <seconds>] [--save-to <dir>]',
  options: {
    profile: { type: 'string' },
    timeout: { type: 'string' },
    'save-to': { type: 'string' },
  },
  required: ['profile'],
  async run(values, io) {
    const timeoutMs = secondsOption(values.timeout, 0) * 1000;
    const saveTo = typeof values['save-to'] === 'string' ? saveFolder(values['save-to']) : null;
    await withCore(stringOption(values, 'profile'), io, async (core, profile) => {
      const fetching: Promise<void>[] = [];
      core.events.on((event) => {
        if (event.type !== 'message.added' || event.message.direction !== 'incoming') return;
        const m = event.message;
        const inGroup = profile.repositories.conversations.get(m.conversationId)?.kind === 'group';
        const line = {
          messageId: m.id,
          ...(inGroup ? { groupId: m.conversationId } : {}),
          ...(m.kind === 'text' ? {} : { kind: m.kind }),
          from: m.senderAccountId,
          sentAt: m.sentAt,
          text: m.body,
          ...(m.urgent ? { urgent: true } : {}),
          ...roleFields(profile.db, profile.repositories.contacts, m.id),
        };
        if (!profile.repositories.attachments.get(m.id)) {
          io.out(JSON.stringify(line));
          return;
        }
        // A file: its line is printed once it is fetched (or has failed), with where it went.
        fetching.push(
          core.attachments.whenSettled(m.id).then((a) => {
            const attachment = {
              name: a.fileName,
              type: a.contentType,
              size: a.size,
              sha256: a.sha256,
              ...(a.state === 'failed' ? { error: a.failure } : {}),
            };
            const file =
              a.state === 'ready' && saveTo
                ? saveAttachment(
                    saveTo,
                    a.fileName,
                    a.contentType,
                    core.attachments.read(m.id).bytes,
                  )
                : undefined;
            io.out(JSON.stringify({ ...line, attachment, ...(file ? { file } : {}) }));
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
      while (fetching.length > 0) await Promise.all(fetching.splice(0));
      // Delivery receipts for what was stored go out before the process ends.
      await core.flushOutbox();
    });
    return 0;
  },
};
