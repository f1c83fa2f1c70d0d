import { MessengerError } from '../../../shared/errors.js';
import { buildAdviceText } from '../../../shared/clinical/advice-prefill.js';
import type { StaffMember } from '../../../shared/clinical/record-entry.js';
import { prefillPatient } from '../../../shared/clinical/patient-prefill.js';
import { isClinicalRole } from '../../../shared/clinical/clinical-roles.js';
import type {
  AdviceGiverChoice,
  TranscriptionDraft,
  TranscriptionSelection,
} from '../../../shared/ipc/clinical-schemas.js';
import type { ConversationRecord } from '../db/repositories/conversations-repository.js';
import type { MessageRecord } from '../db/repositories/messages-repository.js';
import type { Repositories } from '../db/repositories/repositories.js';
import { ownStaffIdentity, staffMemberOf } from './staff-directory.js';

export type DraftRepositories = Pick<
  Repositories,
  'messages' | 'conversations' | 'contacts' | 'ownIdentity'
>;

export interface SelectedMessages {
  readonly conversation: ConversationRecord;
  /** In time order, duplicates removed. */
  readonly messages: readonly MessageRecord[];
}

/**
 * The selected messages, all of them from this conversation on this device. Fails with the ids
 * that are missing (ids are not PID) so the panel can say which selection went stale.
 */
export function loadSelectedMessages(
  repositories: Pick<Repositories, 'messages' | 'conversations'>,
  selection: TranscriptionSelection,
): SelectedMessages {
  const conversation = repositories.conversations.get(selection.conversationId);
  if (conversation === null) {
    throw new MessengerError(
      'not_found',
      'That conversation is not on this device any more (it may have been deleted).',
    );
  }
  const ids = [...new Set(selection.messageIds)];
  const found = ids.map((id) => repositories.messages.get(id));
  const missing = ids.filter(
    (id, index) => found[index]?.conversationId !== selection.conversationId,
  );
  if (missing.length > 0) {
    throw new MessengerError(
      'not_found',
      `${missing.length} of the selected messages ${missing.length === 1 ? 'is' : 'are'} not in ` +
        `this conversation any more (deleted or expired): ${missing.join(', ')}. ` +
        `Select the messages again.`,
      { messageIds: missing },
    );
  }
  const messages = (found as MessageRecord[]).sort(
    (a, b) => a.sentAt - b.sentAt || a.id.localeCompare(b.id),
  );
  refuseNotices(messages);
  return { conversation, messages };
}

/**
 * A notice was written by this device (e.g. that a message could not be decrypted), not said by
 * anyone: copied into a patient record it would read as the peer's clinical advice.
 */
function refuseNotices(messages: readonly MessageRecord[]): void {
  const notices = messages.filter((m) => m.kind === 'notice').map((m) => m.id);
  if (notices.length === 0) return;
  throw new MessengerError(
    'invalid_input',
    'A notice from this app (such as "a message could not be decrypted") is not something a ' +
      'member of staff wrote, so it is not clinical advice and cannot go into the patient ' +
      `record. Leave it out of the selection: ${notices.join(', ')}.`,
    { messageIds: notices },
  );
}

/**
 * Who gave the advice: the author of the last selected message written in a clinical role
 * (clinician, nurse, pharmacist). Never simply the last author: in "question, answer, thanks" the
 * thanks is the receptionist's, the advice the GP's. Null when no clinician wrote in the
 * selection; the user must then choose.
 */
export function adviceGiverOf(
  messages: readonly MessageRecord[],
  isClinical: (accountId: string) => boolean,
): MessageRecord | null {
  for (let i = messages.length - 1; i >= 0; i -= 1) {
    if (isClinical(messages[i]!.senderAccountId)) return messages[i]!;
  }
  return null;
}

/**
 * Prefills the transcription panel: the advice giver (adviceGiverOf), dated by their last
 * selected message; the asker, the first other person in the selection (in a direct conversation
 * otherwise the other participant); the advice quoted in the compact layout; the patient's NHS
 * number, name and date of birth when the messages give them. The transcriber is always this
 * profile's own identity: the renderer never gets to say who transcribed.
 */
export function buildTranscriptionDraft(
  repositories: DraftRepositories,
  selection: TranscriptionSelection,
  now: number,
): TranscriptionDraft {
  const own = ownStaffIdentity(repositories);
  const { conversation, messages } = loadSelectedMessages(repositories, selection);
  const people = new Map<string, StaffMember>();
  // As the panel shows a person: name, role, account. Professional identifiers stay in main,
  // which adds them to the entry from the directory; the form cannot carry (or forge) them.
  const person = (accountId: string): StaffMember => {
    let member = people.get(accountId);
    if (!member) {
      const { name, role } = staffMemberOf(repositories, accountId);
      member = { name, role, accountId };
      people.set(accountId, member);
    }
    return member;
  };
  const clinical = (accountId: string) =>
    isClinicalRole(repositories.contacts.get(accountId)?.role);

  const advice = adviceGiverOf(messages, clinical);
  const giverId = advice?.senderAccountId ?? null;
  const askerId =
    messages.find((m) => m.senderAccountId !== giverId)?.senderAccountId ??
    (giverId === null ? null : otherDirectParticipant(conversation, giverId, own.accountId));

  const quoted = messages.map((m) => ({
    messageId: m.id,
    senderAccountId: m.senderAccountId,
    senderName: person(m.senderAccountId).name,
    senderRole: person(m.senderAccountId).role,
    sentAt: m.sentAt,
    transcribedAt: m.transcribedAt,
    text: m.body,
    clinical: clinical(m.senderAccountId),
    urgent: m.urgent,
  }));
  // When the asker got the advice is only known here if the asker is this device's user.
  const adviceReceivedAt =
    advice !== null && advice.direction === 'incoming' && askerId === own.accountId
      ? advice.receivedAt
      : null;

  return {
    conversationId: conversation.id,
    messageIds: messages.map((m) => m.id),
    quoted,
    advice: buildAdviceText(quoted),
    adviceGivenAt: advice?.sentAt ?? null,
    adviceReceivedAt,
    adviceGivenBy: giverId === null ? null : person(giverId),
    adviceGiverChoices: giverChoices(repositories, messages, person, clinical),
    patient: prefillPatient(
      messages.map((m) => m.body),
      now,
    ),
    urgent: messages.some((m) => m.urgent),
    askedBy: askerId === null ? null : person(askerId),
    transcribedBy: person(own.accountId),
  };
}

/** Authors in the selection, latest first, then every other clinician in the directory by name. */
function giverChoices(
  repositories: Pick<Repositories, 'contacts'>,
  messages: readonly MessageRecord[],
  person: (accountId: string) => StaffMember,
  clinical: (accountId: string) => boolean,
): AdviceGiverChoice[] {
  const authors = [...new Set(messages.map((m) => m.senderAccountId).reverse())];
  const clinicians = repositories.contacts
    .list()
    .filter((c) => !authors.includes(c.accountId) && clinical(c.accountId))
    .map((c) => c.accountId);
  const choice = (accountId: string, inSelection: boolean): AdviceGiverChoice => {
    const { name, role } = person(accountId);
    return { name, role, accountId, inSelection };
  };
  return [...authors.map((id) => choice(id, true)), ...clinicians.map((id) => choice(id, false))];
}

function otherDirectParticipant(
  conversation: ConversationRecord,
  giverId: string,
  ownAccountId: string,
): string | null {
  if (conversation.kind !== 'direct' || conversation.peerAccountId === null) return null;
  return giverId === ownAccountId ? conversation.peerAccountId : ownAccountId;
}
