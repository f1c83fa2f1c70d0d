/**
 * Database records as the renderer may see them (shared/ipc/view-schemas.ts): names and roles
 * resolved from the directory, excerpts, unread counts, opaque paging cursors.
 */
import { MessengerError } from '../../../shared/errors.js';
import {
  attachmentTypeSchema,
  roleSchema,
  type AttachmentView,
  type Contact,
  type ConversationSummary,
  type MessageView,
  type ReadBy,
} from '../../../shared/ipc/view-schemas.js';
import type { AttachmentRecord } from '../db/repositories/attachments-repository.js';
import type { ConversationRecord } from '../db/repositories/conversations-repository.js';
import type { MessageCursor, MessageRecord } from '../db/repositories/messages-repository.js';
import { MessageSearch } from '../db/message-search.js';
import { MessagingQueries } from '../messaging/messaging-queries.js';
import { readRelayAccount } from '../messaging/relay-account.js';
import { GroupsStore } from '../messaging/groups/groups-store.js';
import type { OpenProfile } from '../profile/open-profile.js';
import { RoleMessagesRepository } from '../db/repositories/role-messages-repository.js';
import { roleOfMessage } from '../roles/role-message-view.js';

const excerptLength = 120;

/**
 * What a message's view looks up besides its row. One message (an event, a send) reads each
 * from its table; a page (`messages`) fetches them for all its messages in one query each, and
 * remembers each person, so a page of 200 is a handful of queries, not a thousand or more.
 */
interface MessageLookups {
  contact(accountId: string): Contact;
  repliedTo(messageId: string): MessageRecord | null;
  attachment(messageId: string): AttachmentRecord | null;
  roles: Pick<RoleMessagesRepository, 'get' | 'alert'>;
  peerOf(conversationId: string): string | null;
}

/** Shown for someone this device has not (yet) found in the practice directory. */
export const unknownContactName = 'Not in the directory yet';

export class MessagingViews {
  private readonly queries: MessagingQueries;
  private readonly groups: GroupsStore;
  private readonly roleMessages: RoleMessagesRepository;
  private readonly search: MessageSearch;

  /**
   * `onUnknownContact` hears of every person shown with the placeholder, so the caller can look
   * them up in the relay directory and announce the change.
   */
  constructor(
    private readonly profile: OpenProfile,
    private readonly onUnknownContact: (accountId: string) => void = () => undefined,
    /** How far an upload under way has got (the messaging core's count), when it is running. */
    private readonly uploadedChunks: (messageId: string) => number | null = () => null,
  ) {
    this.queries = new MessagingQueries(profile.db);
    this.groups = new GroupsStore(profile.db);
    this.roleMessages = new RoleMessagesRepository(profile.db);
    this.search = new MessageSearch(profile.db);
  }

  contact(accountId: string): Contact {
    const record = this.profile.repositories.contacts.get(accountId) ?? this.selfIfOwn(accountId);
    if (!record) this.onUnknownContact(accountId);
    const role = roleSchema.safeParse(record?.role);
    return {
      accountId,
      displayName: record?.displayName ?? unknownContactName,
      // Never a guessed role: a stranger shown as "Reception" or "Clinician" could be trusted
      // with what they should not be told.
      role: role.success ? role.data : 'unknown',
    };
  }

  /** Our own messages before the directory first synced: the enrolment knows who we are. */
  private selfIfOwn(accountId: string): { displayName: string; role: string } | null {
    const account = readRelayAccount(this.profile.repositories.settings);
    return account?.accountId === accountId ? account : null;
  }

  /** The message's file, if it carries one, with how far its transfer has got. */
  attachment(messageId: string): AttachmentView | null {
    return this.attachmentView(messageId, this.profile.repositories.attachments.get(messageId));
  }

  private attachmentView(
    messageId: string,
    record: AttachmentRecord | null,
  ): AttachmentView | null {
    const { attachments } = this.profile.repositories;
    if (!record) return null;
    const type = attachmentTypeSchema.safeParse(record.contentType);
    const done =
      record.state === 'uploading'
        ? (this.uploadedChunks(messageId) ?? 0)
        : record.state === 'downloading'
          ? attachments.storedIndexes(messageId).length
          : null;
    return {
      name: record.fileName,
      // Stored types were checked when the message arrived; text/plain is the harmless fallback.
      type: type.success ? type.data : 'text/plain',
      size: record.size,
      state: record.state,
      failure: record.state === 'failed' ? record.failure : null,
      progress: done === null ? null : { done, total: record.chunkCount },
    };
  }

  /** A page of messages (messages.page): the same views as `message`, looked up per page. */
  messages(records: readonly MessageRecord[]): MessageView[] {
    const ids = records.map((r) => r.id);
    const { messages, attachments, conversations } = this.profile.repositories;
    const replied = messages.repliedTo(ids);
    const files = attachments.getMany(ids);
    const tags = this.roleMessages.getMany(ids);
    const contacts = new Map<string, Contact>();
    const peers = new Map<string, string | null>();
    const lookups: MessageLookups = {
      contact: (accountId) => {
        let contact = contacts.get(accountId);
        if (!contact) contacts.set(accountId, (contact = this.contact(accountId)));
        return contact;
      },
      repliedTo: (id) => replied.get(id) ?? null,
      attachment: (id) => files.get(id) ?? null,
      roles: { get: (id) => tags.get(id) ?? null, alert: (id) => this.roleMessages.alert(id) },
      peerOf: (conversationId) => {
        if (!peers.has(conversationId)) {
          peers.set(conversationId, conversations.get(conversationId)?.peerAccountId ?? null);
        }
        return peers.get(conversationId) ?? null;
      },
    };
    return records.map((record) => this.message(record, lookups));
  }

  message(record: MessageRecord, lookups: MessageLookups = this.lookups): MessageView {
    const replied = lookups.repliedTo(record.id);
    return {
      id: record.id,
      conversationId: record.conversationId,
      direction: record.direction,
      sender: lookups.contact(record.senderAccountId),
      text: record.body,
      sentAt: record.sentAt,
      receivedAt: record.receivedAt,
      status: record.status,
      failureReason: record.status === 'failed' ? record.failureReason : null,
      urgent: record.urgent,
      ...(record.kind === 'notice' ? { notice: true } : {}),
      attachment: this.attachmentView(record.id, lookups.attachment(record.id)),
      ...this.readBy(record),
      replyTo: replied
        ? {
            messageId: replied.id,
            senderName: lookups.contact(replied.senderAccountId).displayName,
            excerpt: excerpt(replied.body || this.fileExcerpt(replied.id)),
          }
        : null,
      // transcribed_by holds the transcriber's account id (transcription/originals-deleter.ts).
      transcribed:
        record.transcribedAt !== null && record.transcribedBy !== null
          ? {
              byName: lookups.contact(record.transcribedBy).displayName,
              at: record.transcribedAt,
              deletesAt: record.expiresAt,
            }
          : null,
      role: this.roleOf(record, lookups),
    };
  }

  /** Our own message to a group: "read by 3 of 5" (nothing for other messages). */
  private readBy(record: MessageRecord): { readBy?: ReadBy } {
    if (record.direction !== 'outgoing' || record.kind !== 'text') return {};
    const counts = this.groups.receiptCounts(record.id);
    return counts.recipients > 0 ? { readBy: counts } : {};
  }

  private roleOf(record: MessageRecord, lookups: MessageLookups) {
    const tagged = lookups.roles.get(record.id);
    if (!tagged) return null;
    const peer = lookups.peerOf(record.conversationId);
    // The tag just read is handed on, not read again.
    return roleOfMessage({ get: () => tagged, alert: (id) => lookups.roles.alert(id) }, record, {
      peerName: peer ? lookups.contact(peer).displayName : null,
      nameOf: (accountId) => lookups.contact(accountId).displayName,
    });
  }

  /** One message's lookups, each straight from its table. */
  private readonly lookups: MessageLookups = {
    contact: (accountId) => this.contact(accountId),
    repliedTo: (id) => {
      const replyTo = this.queries.replyTo(id);
      return replyTo ? this.profile.repositories.messages.get(replyTo) : null;
    },
    attachment: (id) => this.profile.repositories.attachments.get(id),
    roles: {
      get: (id) => this.roleMessages.get(id),
      alert: (id) => this.roleMessages.alert(id),
    },
    peerOf: (conversationId) =>
      this.profile.repositories.conversations.get(conversationId)?.peerAccountId ?? null,
  };

  conversation(record: ConversationRecord): ConversationSummary {
    const participants = record.peerAccountId
      ? [this.contact(record.peerAccountId)]
      : this.profile.repositories.conversations.members(record.id).map((id) => this.contact(id));
    const last = this.queries.lastMessage(record.id);
    const deleted = this.profile.repositories.messages.deletedIn(record.id);
    return {
      id: record.id,
      kind: record.kind,
      title: record.title ?? participants.map((p) => p.displayName).join(', '),
      participants,
      unreadCount: this.profile.repositories.messages.countUnread(record.id),
      lastActivityAt: record.lastActivityAt,
      lastMessageExcerpt: last ? excerpt(last.body || this.fileExcerpt(last.id)) : null,
      hasUrgentUnread: this.queries.hasUrgentUnread(record.id),
      identityChanged: record.identityChangedAt !== null,
      disappearingSeconds: record.disappearingSeconds,
      ...(record.peerAccountId
        ? { peerDevices: this.queries.deviceCount(record.peerAccountId) }
        : {}),
      ...(deleted
        ? { deletedMessages: { count: deleted.count, reasons: [...deleted.reasons] } }
        : {}),
    };
  }

  /** What a file without a caption is called in excerpts: "File: scan.pdf". */
  private fileExcerpt(messageId: string): string {
    const record = this.profile.repositories.attachments.get(messageId);
    return record ? `File: ${record.fileName}` : '';
  }

  /**
   * The conversation list; with a query, the conversations whose title contains it or with a
   * message containing every word of it (full-text, word prefixes), each with its newest
   * matching message and the matches marked for highlighting.
   */
  conversations(query?: string): ConversationSummary[] {
    const all = this.profile.repositories.conversations.list();
    const wanted = query?.trim().toLowerCase();
    if (!wanted) return all.map((c) => this.conversation(c));
    const hits = this.search.search(wanted);
    return all
      .map((c) => {
        const hit = hits.get(c.id);
        const summary = this.conversation(c);
        return hit
          ? { ...summary, searchMatch: { messageId: hit.messageId, excerpt: hit.excerpt } }
          : summary;
      })
      .filter((c) => c.searchMatch !== undefined || c.title.toLowerCase().includes(wanted));
  }
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > excerptLength ? `${flat.slice(0, excerptLength - 1)}…` : flat;
}

/** Paging cursors are opaque to the renderer: base64url of [sentAt, id]. */
export function encodeCursor(cursor: MessageCursor): string {
  return Buffer.from(JSON.stringify([cursor.sentAt, cursor.id])).toString('base64url');
}

export function decodeCursor(value: string): MessageCursor {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    if (
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      Number.isSafeInteger(parsed[0]) &&
      typeof parsed[1] === 'string'
    ) {
      return { sentAt: parsed[0] as number, id: parsed[1] };
    }
  } catch {
    // Reported below.
  }
  throw new MessengerError(
    'invalid_input',
    'The paging cursor is not one this app issued; reload the conversation.',
  );
}
