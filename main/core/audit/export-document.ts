/**
 * What a conversation export contains (the JSON document, and what export-html.ts renders): built
 * from the database here; authorised-export.ts decides whether it may be made and writes it.
 */
import type { AuditEntryView } from '../../../shared/ipc/clinical-schemas.js';
import type { ConversationRecord } from '../db/repositories/conversations-repository.js';
import type { MessageRecord } from '../db/repositories/messages-repository.js';
import type { Repositories } from '../db/repositories/repositories.js';
import type { OwnStaffIdentity } from '../transcription/staff-directory.js';
import { toView } from './audit-view.js';

export const exportFormat = 'practice-messenger/conversation-export';
export const exportVersion = 1;

export interface ExportPerson {
  readonly accountId: string;
  readonly displayName: string;
  readonly role: string | null;
}

export interface ExportedMessage {
  readonly id: string;
  readonly direction: 'incoming' | 'outgoing';
  readonly sender: ExportPerson;
  readonly sentAt: string;
  readonly receivedAt: string | null;
  readonly readAt: string | null;
  readonly status: string;
  readonly urgent: boolean;
  readonly text: string;
  readonly transcribed: { readonly at: string; readonly by: ExportPerson } | null;
  readonly scheduledDeletion: string | null;
}

/** The JSON half of a Subject Access Request export, and the data the HTML half is made from. */
export interface ConversationExport {
  readonly format: typeof exportFormat;
  readonly version: typeof exportVersion;
  readonly exportedAt: string;
  readonly exportedBy: ExportPerson;
  readonly reference: string | null;
  readonly conversation: {
    readonly id: string;
    readonly kind: 'direct' | 'group';
    readonly title: string | null;
    readonly createdAt: string;
    readonly participants: readonly ExportPerson[];
  };
  readonly messages: readonly ExportedMessage[];
  /** What was done to this conversation (transcriptions, exports): no message text in these. */
  readonly auditEvents: readonly AuditEntryView[];
}

const pageSize = 500;

export function buildConversationExport(
  repositories: Pick<Repositories, 'messages' | 'conversations' | 'contacts' | 'audit'>,
  conversation: ConversationRecord,
  context: { own: OwnStaffIdentity; now: number; reference: string | null },
): ConversationExport {
  const people = new Map<string, ExportPerson>();
  const person = (accountId: string): ExportPerson => {
    let found = people.get(accountId);
    if (!found) {
      const contact = repositories.contacts.get(accountId);
      found = {
        accountId,
        displayName: contact?.displayName ?? `Unknown (account ${accountId})`,
        role: contact?.role ?? null,
      };
      people.set(accountId, found);
    }
    return found;
  };
  const participantIds =
    conversation.kind === 'direct' && conversation.peerAccountId !== null
      ? [context.own.accountId, conversation.peerAccountId]
      : repositories.conversations.members(conversation.id);

  return {
    format: exportFormat,
    version: exportVersion,
    exportedAt: iso(context.now),
    exportedBy: person(context.own.accountId),
    reference: context.reference,
    conversation: {
      id: conversation.id,
      kind: conversation.kind,
      title: conversation.title,
      createdAt: iso(conversation.createdAt),
      participants: participantIds.map(person),
    },
    messages: allMessages(repositories, conversation.id).map((m) => ({
      id: m.id,
      direction: m.direction,
      sender: person(m.senderAccountId),
      sentAt: iso(m.sentAt),
      receivedAt: isoOrNull(m.receivedAt),
      readAt: isoOrNull(m.readAt),
      status: m.status,
      urgent: m.urgent,
      text: m.body,
      transcribed:
        m.transcribedAt !== null && m.transcribedBy !== null
          ? { at: iso(m.transcribedAt), by: person(m.transcribedBy) }
          : null,
      scheduledDeletion: isoOrNull(m.expiresAt),
    })),
    auditEvents: repositories.audit
      .forConversation(conversation.id)
      .map((record) => toView(repositories, record)),
  };
}

function allMessages(
  repositories: Pick<Repositories, 'messages'>,
  conversationId: string,
): MessageRecord[] {
  const all: MessageRecord[] = [];
  let page = repositories.messages.pageAfter(conversationId, null, pageSize);
  while (page.length > 0) {
    all.push(...page);
    const last = page[page.length - 1] as MessageRecord;
    page = repositories.messages.pageAfter(conversationId, last, pageSize);
  }
  return all;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : iso(ms);
}
