import { MessengerError } from '../../../shared/errors.js';
import {
  entryFormatSchema,
  maxTranscribedMessages,
  transcriptionFormSchema,
} from '../../../shared/ipc/clinical-schemas.js';
import { buildAdviceText, entryTemplates } from '../../../shared/clinical/advice-prefill.js';
import { parseUkDateInput } from '../../../shared/clinical/uk-date-format.js';
import type { TranscriptionDraft } from '../../../shared/ipc/clinical-schemas.js';
import { messageIdSchema } from '../../../shared/ipc/view-schemas.js';
import { TranscriptionService } from '../../core/transcription/transcription-service.js';
import { CliUsageError, accountIdOption, stringOption, type CliCommand } from '../cli-command.js';
import { saveFolder } from '../attachment-files.js';
import { unlockCliProfile } from '../cli-profile.js';

/**
 * Prints the record entry for messages of a conversation, exactly as the transcription panel
 * would produce it (same draft, same validation), for scripted checks. It only prints: it does
 * not confirm the entry, write the audit log or delete anything.
 */
export const command: CliCommand = {
  name: 'transcribe',
  summary:
    'Print the patient-record entry (plain text, or FHIR Communication JSON) for messages of the conversation with a person. Prints only: nothing is confirmed or deleted.\n' +
    '      --advice-by: the account id of who gave the advice; by default the last author in a clinical role (clinician, nurse, pharmacist) in the selection, never simply the last author. Required when no clinician wrote in the selection; must be an author in the selection or a clinician in the directory.\n' +
    '      --template: compact (default; one line per message, no ids) or full (every audit detail). --dob: dd/mm/yyyy (or yyyy-mm-dd).\n' +
    '      --save-files <dir>: also saves the files the entry lists (decrypted, checked against their SHA-256) into that existing folder, beside where the entry goes, never over an existing file; their paths are printed on stderr as one JSON line {"savedFiles": [...]}.',
  usage:
    '--profile <dir> --with <accountId> --messages <id,id,...> --nhs-number <n> [--advice-by <accountId>] [--format text|fhir] [--template compact|full] [--patient-name <name>] [--dob <dd/mm/yyyy>] [--action <text>]... [--save-files <dir>]',
  options: {
    profile: { type: 'string' },
    with: { type: 'string' },
    messages: { type: 'string' },
    'nhs-number': { type: 'string' },
    format: { type: 'string' },
    template: { type: 'string' },
    'advice-by': { type: 'string' },
    'patient-name': { type: 'string' },
    dob: { type: 'string' },
    action: { type: 'string', multiple: true },
    'save-files': { type: 'string' },
  },
  required: ['profile', 'with', 'messages', 'nhs-number'],
  async run(values, io) {
    const peer = accountIdOption(stringOption(values, 'with'), 'with');
    const messageIds = parseMessageIds(stringOption(values, 'messages'));
    const format = parseFormat(values['format']);
    const template = parseTemplate(values['template']);
    const adviceBy = optionalAccountId(values['advice-by'], 'advice-by');
    const dob = parseDob(values['dob']);
    const filesDir = saveFilesOption(values['save-files']);
    const profile = await unlockCliProfile(stringOption(values, 'profile'), io);
    try {
      const conversation = profile.repositories.conversations.findDirect(peer);
      if (!conversation) {
        throw new MessengerError('not_found', 'There is no conversation with that person yet.');
      }
      const service = new TranscriptionService({ profile, deleter: null, clipboard: null });
      const draft = service.draft({ conversationId: conversation.id, messageIds });
      const name = values['patient-name'];
      const giver = adviceGiver(draft, adviceBy);
      const actions = values['action'] as unknown as string[] | undefined;
      const form = transcriptionFormSchema.parse({
        conversationId: draft.conversationId,
        messageIds: draft.messageIds,
        patient: {
          nhsNumber: stringOption(values, 'nhs-number'),
          ...(typeof name === 'string' ? { name } : {}),
          ...(dob === undefined ? {} : { dateOfBirth: dob }),
        },
        // The draft quotes compactly; the full layout quotes each message under a dated line.
        advice: template === 'full' ? buildAdviceText(draft.quoted, { template }) : draft.advice,
        actions: actions ?? [],
        adviceGivenBy: giver,
        askedBy: draft.askedBy,
        deleteOriginals: { when: 'now' },
        template,
      });
      const rendered = service.render(form, format);
      if (rendered.content === null) {
        throw new MessengerError(
          'invalid_input',
          `The record entry is not valid: ${rendered.errors.join('; ')}`,
        );
      }
      io.out(rendered.content);
      if (filesDir !== null) {
        io.err(JSON.stringify({ savedFiles: service.saveEntryFiles(form, filesDir) }));
      }
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

function parseTemplate(value: string | boolean | undefined) {
  if (value === undefined) return 'compact';
  const found = entryTemplates.find((t) => t === value);
  if (found === undefined) throw new CliUsageError('--template must be "compact" or "full".');
  return found;
}

function optionalAccountId(value: string | boolean | undefined, name: string) {
  if (value === undefined) return undefined;
  if (
    typeof value !== 'string' ||
    !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(value)
  ) {
    throw new CliUsageError(
      `--${name} must be an account id (a lowercase UUID, as \`pmsg client directory\` shows).`,
    );
  }
  return value;
}

/** dd/mm/yyyy as in the panel; yyyy-mm-dd is accepted too, for scripts. */
function parseDob(value: string | boolean | undefined): string | undefined {
  if (value === undefined) return undefined;
  const text = typeof value === 'string' ? value.trim() : '';
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(text)
    ? parseUkDateInput(text.split('-').reverse().join('/'))
    : parseUkDateInput(text);
  if (iso === null) {
    throw new CliUsageError('--dob must be a real date written dd/mm/yyyy (or yyyy-mm-dd).');
  }
  return iso;
}

/**
 * Who gave the advice: --advice-by when given (an author in the selection or a clinician in the
 * directory), else the draft's proposal (the last clinician who wrote in the selection).
 */
function adviceGiver(draft: TranscriptionDraft, adviceBy: string | undefined) {
  const choices = draft.adviceGiverChoices;
  const list = choices.map((c) => `${c.accountId} (${c.name}, ${c.role})`).join('; ');
  if (adviceBy === undefined) {
    if (draft.adviceGivenBy !== null) return draft.adviceGivenBy;
    throw new CliUsageError(
      `No clinician wrote in the selected messages, so who gave the advice must be said: add --advice-by <accountId>${list ? `, one of: ${list}` : ''}.`,
    );
  }
  const choice = choices.find((c) => c.accountId === adviceBy);
  if (choice === undefined) {
    throw new CliUsageError(
      `--advice-by: that account neither wrote in the selected messages nor is a clinician in the directory${list ? `; choose one of: ${list}` : ''}.`,
    );
  }
  return { name: choice.name, role: choice.role, accountId: choice.accountId };
}

/** `--save-files <dir>`: an existing folder, checked before the profile opens. */
function saveFilesOption(value: unknown): string | null {
  if (value === undefined) return null;
  if (typeof value !== 'string' || value === '') {
    throw new CliUsageError('--save-files needs the path of an existing folder.');
  }
  return saveFolder(value, '--save-files');
}
