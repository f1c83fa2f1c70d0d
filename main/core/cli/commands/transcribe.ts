import { MessengerError } from '../../../../shared/errors.js';
import {
  entryFormatSchema,
  maxTranscribedMessages,
  transcriptionFormSchema,
} from '../../../../shared/ipc/clinical-schemas.js';
import { messageIdSchema } from '../../../../shared/ipc/view-schemas.js';
import { TranscriptionService } from '../../transcription/transcription-service.js';
import { CliUsageError, accountIdOption, stringOption, type CliCommand } from '../cli-command.js';
import { unlockCliProfile } from '../cli-profile.js';

/**
 * Prints the record entry for messages of a conversation, exactly as the transcription panel
 * would produce it (same draft, same validation), for scripted checks. It only prints: it does
 * not confirm the entry, write the audit log or delete anything.
 */
export const command: CliCommand = {
  name: 'transcribe',
  summary:
    'Print the patient-record entry (plain text, or FHIR Communication JSON) for messages of the conversation with a person. Prints only: nothing is confirmed or deleted.',
  usage:
    '--profile <dir> --with <accountId> --messages <id,id,...> --nhs-number <n> [--format text|fhir] [--patient-name <name>] [--dob <yyyy-mm-dd>] [--action <text>]...',
  options: {
    profile: { type: 'string' },
    with: { type: 'string' },
    messages: { type: 'string' },
    'nhs-number': { type: 'string' },
    format: { type: 'string' },
    'patient-name': { type: 'string' },
    dob: { type: 'string' },
    action: { type: 'string', multiple: true },
  },
  required: ['profile', 'with', 'messages', 'nhs-number'],
  async run(values, io) {
    const peer = accountIdOption(stringOption(values, 'with'), 'with');
    const messageIds = parseMessageIds(stringOption(values, 'messages'));
    const format = parseFormat(values['format']);
    const profile = await unlockCliProfile(stringOption(values, 'profile'), io);
    try {
      const conversation = profile.repositories.conversations.findDirect(peer);
      if (!conversation) {
        throw new MessengerError('not_found', 'There is no conversation with that person yet.');
      }
      const service = new TranscriptionService({ profile, deleter: null, clipboard: null });
      const draft = service.draft({ conversationId: conversation.id, messageIds });
      const name = values['patient-name'];
      const dob = values['dob'];
      const actions = values['action'] as unknown as string[] | undefined;
      const form = transcriptionFormSchema.parse({
        conversationId: draft.conversationId,
        messageIds: draft.messageIds,
        patient: {
          nhsNumber: stringOption(values, 'nhs-number'),
          ...(typeof name === 'string' ? { name } : {}),
          ...(typeof dob === 'string' ? { dateOfBirth: dob } : {}),
        },
        advice: draft.advice,
        actions: actions ?? [],
        adviceGivenBy: draft.adviceGivenBy,
        askedBy: draft.askedBy,
        deleteOriginals: { when: 'now' },
      });
      const rendered = service.render(form, format);
      if (rendered.content === null) {
        throw new MessengerError(
          'invalid_input',
          `The record entry is not valid: ${rendered.errors.join('; ')}`,
        );
      }
      io.out(rendered.content);
      return 0;
    } finally {
      profile.close();
    }
  },
};

function parseMessageIds(list: string): string[] {
  const ids = list
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id !== '');
  if (ids.length === 0 || ids.length > maxTranscribedMessages) {
    throw new CliUsageError(
      `--messages takes 1 to ${maxTranscribedMessages} message ids separated by commas (as \`pmsg client history\` prints them).`,
    );
  }
  const bad = ids.filter((id) => !messageIdSchema.safeParse(id).success);
  if (bad.length > 0) {
    throw new CliUsageError(
      `--messages: ${bad.map((id) => JSON.stringify(id.slice(0, 70))).join(', ')} ${bad.length === 1 ? 'is not a message id' : 'are not message ids'} (8-64 letters, digits, _ or -).`,
    );
  }
  return ids;
}

function parseFormat(value: string | boolean | undefined) {
  if (value === undefined) return 'text';
  const parsed = entryFormatSchema.safeParse(value);
  if (!parsed.success) throw new CliUsageError('--format must be "text" or "fhir".');
  return parsed.data;
}
