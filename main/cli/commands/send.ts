import { createPidDetector } from '../../../shared/clinical/pid-detector.js';
import { MessengerError } from '../../../shared/errors.js';
import { maxMessageTextLength } from '../../../shared/ipc/message-limits.js';
import { messageIdSchema } from '../../../shared/ipc/view-schemas.js';
import { auditSentDespitePid, checkPidBeforeSend } from '../../core/audit/pid-send-guard.js';
import {
  auditImagePidAnswer,
  checkImagePidAnswer,
  imagePidQuestion,
  type ImagePidAnswer,
} from '../../core/audit/image-pid-answer.js';
import { checkAttachment } from '../../core/messaging/attachments/attachment-checks.js';
import type { Policy } from '../../core/policy/policy-schema.js';
import { loadPolicy } from '../../core/policy/load-policy.js';
import { accountIdOption, CliUsageError, stringOption, type CliCommand } from '../cli-command.js';
import { withCore } from '../cli-profile.js';
import { groupIdOption } from '../group-cli.js';
import { readAttachmentFile } from '../attachment-files.js';
import path from 'node:path';
import { sendToRole } from '../role-send.js';

export const command: CliCommand = {
  name: 'send',
  summary:
    'Send a text message, or a file (--file, with --text as its caption); exits once the relay ' +
    "has accepted it. Files are end-to-end encrypted; their type is decided from their bytes. Applies the practice's PID guard (on the text and the file name): " +
    'under "block" a message with patient identifiers is refused; under "warn" it needs ' +
    '--send-despite-pid (recorded in the audit log, finding kinds only). --policy <file> reads ' +
    'a policy file where no managed policy is installed. --group <groupId> sends the text or ' +
    'file to a group (one upload for every member device) instead of one person. --role sends the text (or the file) ' +
    'to whoever is on duty in that role now and prints who it reached (JSON); an urgent one (or ' +
    '--ack) asks for acknowledgement and escalates if nobody acknowledges in time. With nobody ' +
    'on duty it is refused, naming the escalation target; --to-escalation sends it there. ' +
    'An image (--file whose bytes are a JPEG, PNG or HEIC) needs --shows-patient-details yes|no, ' +
    `the answer to "${imagePidQuestion}" (audited, the answer only), unless the practice's ` +
    'policy askImagePatientDetails turns the question off. --urgent marks a text or a file ' +
    'urgent; --reply-to <messageId> answers a message of the same conversation (text or file).',
  usage:
    '--profile <dir> (--to <accountId> | --group <groupId> | --role <role name> [--ack] [--to-escalation]) (--text <text> | --file <path> [--text <caption>] [--shows-patient-details yes|no]) [--urgent] [--reply-to <messageId>] [--send-despite-pid] [--policy <file>]',
  options: {
    profile: { type: 'string' },
    to: { type: 'string' },
    group: { type: 'string' },
    role: { type: 'string' },
    ack: { type: 'boolean' },
    'to-escalation': { type: 'boolean' },
    text: { type: 'string' },
    file: { type: 'string' },
    'shows-patient-details': { type: 'string' },
    urgent: { type: 'boolean' },
    'reply-to': { type: 'string' },
    'send-despite-pid': { type: 'boolean' },
    policy: { type: 'string' },
  },
  required: ['profile'],
  async run(values, io) {
    const role = typeof values.role === 'string' ? values.role.trim() : null;
    const targets = [values.to, values.group, values.role].filter((v) => v !== undefined);
    if (targets.length === 0) {
      throw new CliUsageError(
        '--to is required (or --group <groupId> to write to a group, or --role <role name>).',
      );
    }
    if (targets.length > 1) {
      throw new CliUsageError(
        'Give only one of --to <accountId>, --group <groupId> and --role <role name>.',
      );
    }
    if (role === null && (values.ack !== undefined || values['to-escalation'] !== undefined)) {
      throw new CliUsageError('--ack and --to-escalation go with --role.');
    }
    if (role === '') throw new CliUsageError('--role needs the name of a duty role.');
    const to = values.to === undefined ? null : accountIdOption(stringOption(values, 'to'), 'to');
    const groupId = values.group === undefined ? null : groupIdOption(values.group);
    const file = typeof values.file === 'string' && values.file !== '' ? values.file : null;
    if (values.file !== undefined && file === null) throw new CliUsageError('--file needs a path.');
    if (file === null && typeof values.text !== 'string') {
      throw new CliUsageError('--text or --file is required.');
    }
    const imageAnswer = imagePidAnswerOption(values['shows-patient-details'], file);
    const replyTo = replyToOption(values['reply-to']);
    if (replyTo !== null && role !== null) {
      throw new CliUsageError('--reply-to cannot go to a duty role; reply in the conversation.');
    }
    const text = typeof values.text === 'string' ? values.text : '';
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
    const described = new Map<string, object>();
    const attachmentOf = (id: string) => described.get(id) ?? {};
    const kinds = checkPidBeforeSend({
      policy,
      detect: createPidDetector({ hospitalNumberPatterns: policy.hospitalNumberPatterns }),
      // The file's name can name the patient as surely as a message can.
      text: file === null ? text : [text, path.basename(file)].join('\n'),
      sendDespitePid: values['send-despite-pid'] === true,
      howToConfirm: 'send it again with --send-despite-pid',
    });
    if (file !== null && !policy.allowAttachments) {
      throw new MessengerError('forbidden', "The practice's policy does not allow sending files.");
    }
    const maxBytes = policy.maxAttachmentMB * 1_048_576;
    const bytes = file === null ? null : readAttachmentFile(file, maxBytes);
    // Asked before the profile opens, like the app's dialog before the upload: the type is the
    // one the bytes show, whatever the name says.
    const showsPatientDetails =
      bytes === null ? null : askedImageQuestion(policy, bytes, maxBytes, imageAnswer);
    if (role !== null) {
      return sendToRole(stringOption(values, 'profile'), io, {
        role,
        text,
        file:
          bytes === null || file === null
            ? null
            : {
                bytes,
                name: path.basename(file),
                maxBytes,
                allowedTypes: policy.attachmentTypes,
              },
        urgent: values.urgent === true,
        requestAck: values.ack === true,
        toEscalation: values['to-escalation'] === true,
        pidKinds: kinds,
        pidGuard: policy.pidGuard,
        showsPatientDetails,
      });
    }
    const sent = await withCore(stringOption(values, 'profile'), io, async (core, profile) => {
      const conversation =
        to === null
          ? { id: core.groups.get(groupId as string).groupId }
          : await core.openDirect(to);
      const message =
        bytes === null || file === null
          ? await core.sendText(conversation.id, text, {
              urgent: values.urgent === true,
              ...(replyTo ? { replyTo } : {}),
            })
          : await core.attachments.send(conversation.id, {
              bytes,
              name: path.basename(file),
              ...(text ? { caption: text } : {}),
              maxBytes,
              allowedTypes: policy.attachmentTypes,
              urgent: values.urgent === true,
              ...(replyTo ? { replyTo } : {}),
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
      if (showsPatientDetails !== null) {
        auditImagePidAnswer(profile.repositories.audit, {
          at: message.sentAt,
          actorAccountId: core.account.accountId,
          conversationId: conversation.id,
          messageId: message.id,
          showsPatientDetails,
        });
      }
      // Also resumes anything an earlier run left in the outbox.
      core.start({ receive: false });
      const done = await core.whenSent(message.id);
      const attachment = profile.repositories.attachments.get(message.id);
      if (attachment) {
        described.set(message.id, {
          attachment: {
            name: attachment.fileName,
            type: attachment.contentType,
            size: attachment.size,
            sha256: attachment.sha256,
          },
        });
      }
      return done;
    });
    if (sent.status === 'failed') {
      throw new MessengerError('network', sent.failureReason ?? 'The message could not be sent.');
    }
    io.out(
      JSON.stringify({
        messageId: sent.id,
        status: 'sent',
        ...(groupId ? { groupId } : {}),
        ...attachmentOf(sent.id),
      }),
    );
    return 0;
  },
};

/** `--shows-patient-details yes|no`: only with --file; null when not given. */
function imagePidAnswerOption(value: unknown, file: string | null): ImagePidAnswer {
  if (value === undefined) return null;
  if (file === null) throw new CliUsageError('--shows-patient-details goes with --file.');
  if (value !== 'yes' && value !== 'no') {
    throw new CliUsageError('--shows-patient-details must be yes or no.');
  }
  return value === 'yes';
}

/**
 * The answer to the image question, to audit; null when it does not apply (not an image, or the
 * policy turned it off). An image without an answer is bad usage: exit 2, naming the flag.
 */
function askedImageQuestion(
  policy: Policy,
  bytes: Uint8Array,
  maxBytes: number,
  answer: ImagePidAnswer,
): boolean | null {
  const type = checkAttachment(bytes, { maxBytes, allowedTypes: policy.attachmentTypes });
  try {
    return checkImagePidAnswer(policy, type, answer);
  } catch {
    throw new CliUsageError(
      `The file is an image: answer "${imagePidQuestion}" with --shows-patient-details yes or --shows-patient-details no.`,
    );
  }
}

/** `--reply-to <messageId>`: the id `history` and `receive` print. */
function replyToOption(value: unknown): string | null {
  if (value === undefined) return null;
  const parsed = messageIdSchema.safeParse(value);
  if (!parsed.success) {
    throw new CliUsageError(
      '--reply-to needs a message id as `pmsg client history` or `receive` prints it.',
    );
  }
  return parsed.data;
}
