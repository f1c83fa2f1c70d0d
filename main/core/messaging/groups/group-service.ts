import { randomUUID } from 'node:crypto';
import { MessengerError } from '../../../../shared/errors.js';
import type { MessageRecord } from '../../db/repositories/messages-repository.js';
import { expiryOfNewMessage } from '../../retention/expiry-policy.js';
import { encodeContent, type Content } from '../content-codec.js';
import type { CoreContext } from '../core-context.js';
import { newMessageId, nextSentAt } from '../message-ids.js';
import { contentOfMessage } from '../outgoing-content.js';
import { RelayRequestError } from '../relay/relay-http.js';
import { toMessengerError } from '../relay-errors.js';
import {
  maxDisappearingSeconds,
  maxGroupMembers,
  maxGroupNameLength,
  sortedIds,
  stateHash,
  type GroupStateBody,
} from './group-state.js';
import type { GroupStates } from './group-states.js';
import type { GroupsStore } from './groups-store.js';

export interface GroupMember {
  readonly accountId: string;
  readonly displayName: string;
  readonly role: string | null;
  readonly admin: boolean;
}

export interface GroupSummary {
  readonly groupId: string;
  readonly name: string;
  readonly version: number;
  readonly members: readonly GroupMember[];
  /** This account is in the group's current state (false after removal or leaving). */
  readonly isMember: boolean;
  readonly isAdmin: boolean;
  /** The group's disappearing-message timer in seconds; null when off. */
  readonly disappearingSeconds: number | null;
}

export interface GroupReceipts {
  readonly recipients: number;
  readonly delivered: number;
  readonly read: number;
  readonly people: readonly {
    accountId: string;
    displayName: string;
    deliveredAt: number | null;
    readAt: number | null;
  }[];
}

/**
 * What a member does to a group: create it, change who is in it, leave it, write to it. A change
 * is a new state signed with this device's identity key, accepted here first (by the same rules
 * as anyone's), then sent 1:1 to everyone in the old and the new state, so a removed member
 * learns it too. Group messages go to the group outbox (GroupSender) in the same transaction as
 * the message they carry.
 */
export class GroupService {
  constructor(
    private readonly ctx: CoreContext,
    private readonly store: GroupsStore,
    private readonly states: GroupStates,
    private readonly kickSender: () => void,
  ) {}

  list(): GroupSummary[] {
    return this.store
      .groups()
      .map((g) => this.summary(g.groupId))
      .filter((g): g is GroupSummary => g !== null);
  }

  get(groupId: string): GroupSummary {
    const summary = this.summary(groupId);
    if (!summary) throw new MessengerError('not_found', 'There is no such group on this device.');
    return summary;
  }

  isGroup(conversationId: string): boolean {
    return this.store.group(conversationId) !== null;
  }

  async create(name: string, memberIds: readonly string[]): Promise<GroupSummary> {
    const self = this.ctx.account.accountId;
    const trimmed = checkName(name);
    const others = sortedIds(memberIds.map((id) => id.toLowerCase())).filter((id) => id !== self);
    if (others.length === 0) {
      throw new MessengerError(
        'invalid_input',
        'A group needs at least one other member: name them with their account ids.',
      );
    }
    if (others.length + 1 > maxGroupMembers) {
      throw new MessengerError(
        'invalid_input',
        `A group has at most ${maxGroupMembers} members, you included.`,
      );
    }
    await this.knowAll(others);
    const members = sortedIds([self, ...others]);
    // The creator and the practice managers are the group's admins.
    const admins = members.filter(
      (id) => id === self || this.ctx.repos.contacts.get(id)?.role === 'manager',
    );
    const body: GroupStateBody = {
      v: 1,
      groupId: randomUUID(),
      version: 1,
      parentHash: null,
      name: trimmed,
      members,
      admins,
      changedAt: this.ctx.now(),
    };
    await this.commit(body, []);
    return this.get(body.groupId);
  }

  async addMember(groupId: string, accountId: string): Promise<GroupSummary> {
    const member = accountId.toLowerCase();
    const head = this.adminHead(groupId);
    if (head.members.includes(member)) {
      throw new MessengerError('invalid_input', 'That person is already a member of the group.');
    }
    if (head.members.length + 1 > maxGroupMembers) {
      throw new MessengerError('invalid_input', `A group has at most ${maxGroupMembers} members.`);
    }
    await this.knowAll([member]);
    const manager = this.ctx.repos.contacts.get(member)?.role === 'manager';
    await this.commit(
      this.next(head, {
        members: sortedIds([...head.members, member]),
        admins: manager ? sortedIds([...head.admins, member]) : head.admins,
      }),
      head.members,
    );
    return this.get(groupId);
  }

  async removeMember(groupId: string, accountId: string): Promise<GroupSummary> {
    const member = accountId.toLowerCase();
    if (member === this.ctx.account.accountId) return this.leave(groupId);
    const head = this.adminHead(groupId);
    if (!head.members.includes(member)) {
      throw new MessengerError('invalid_input', 'That person is not a member of the group.');
    }
    await this.commit(
      this.next(head, {
        members: head.members.filter((m) => m !== member),
        admins: head.admins.filter((a) => a !== member),
      }),
      head.members,
    );
    return this.get(groupId);
  }

  /** Admins rename the group; every member sees a notice. */
  async rename(groupId: string, name: string): Promise<GroupSummary> {
    const trimmed = checkName(name);
    const head = this.adminHead(groupId, 'rename the group');
    if (head.name === trimmed) return this.get(groupId);
    await this.commit(this.next(head, { name: trimmed }), head.members);
    return this.get(groupId);
  }

  /**
   * Admins set the group's disappearing-message timer (0 turns it off). It is part of the signed
   * state, like the name: one timer for everyone, which a member joining later gets too.
   */
  async setDisappearingTimer(groupId: string, seconds: number): Promise<GroupSummary> {
    if (!Number.isInteger(seconds) || seconds < 0 || seconds > maxDisappearingSeconds) {
      throw new MessengerError(
        'invalid_input',
        `A disappearing timer is 0 (off) to ${maxDisappearingSeconds} seconds.`,
      );
    }
    const head = this.adminHead(groupId, 'set the disappearing-message timer');
    const wanted = seconds === 0 ? undefined : seconds;
    if (head.disappearingSeconds === wanted) return this.get(groupId);
    const { disappearingSeconds: _previous, ...body } = this.next(head, {});
    await this.commit(
      wanted === undefined ? body : { ...body, disappearingSeconds: wanted },
      head.members,
    );
    return this.get(groupId);
  }

  /** Anyone may leave; the last admin to leave hands the role to the next member. */
  async leave(groupId: string): Promise<GroupSummary> {
    const self = this.ctx.account.accountId;
    const head = this.states.head(groupId);
    if (!head || !head.members.includes(self) || this.store.group(groupId)?.leftAt != null) {
      throw new MessengerError('invalid_input', 'You are not a member of that group.');
    }
    const members = head.members.filter((m) => m !== self);
    let admins = head.admins.filter((a) => a !== self);
    if (admins.length === 0 && members.length > 0 && head.admins.includes(self)) {
      admins = [members[0] as string];
    }
    if (members.length === 0) {
      throw new MessengerError(
        'invalid_input',
        'You are the last member of this group; there is no one to tell.',
      );
    }
    await this.commit(this.next(head, { members, admins }), head.members);
    return this.get(groupId);
  }

  async sendText(
    groupId: string,
    text: string,
    options: { urgent?: boolean; replyTo?: string } = {},
  ): Promise<MessageRecord> {
    const self = this.ctx.account.accountId;
    const group = this.store.group(groupId);
    const head = this.states.head(groupId);
    if (!group || !head)
      throw new MessengerError('not_found', 'There is no such group on this device.');
    if (group.leftAt !== null || !head.members.includes(self)) {
      throw new MessengerError('forbidden', 'You are no longer a member of this group.');
    }
    if (
      options.replyTo &&
      this.ctx.repos.messages.get(options.replyTo)?.conversationId !== groupId
    ) {
      throw new MessengerError(
        'invalid_input',
        'The message being replied to is not in this group.',
      );
    }
    const message = await this.ctx.txEmit(async (emit) => {
      const now = this.ctx.now();
      const sentAt = nextSentAt(now);
      const id = newMessageId(sentAt);
      this.ctx.repos.messages.insert({
        id,
        conversationId: groupId,
        direction: 'outgoing',
        senderAccountId: self,
        senderDeviceId: this.ctx.account.deviceId,
        body: text,
        urgent: options.urgent ?? false,
        status: 'pending',
        sentAt,
        receivedAt: null,
        expiresAt: expiryOfNewMessage(this.ctx.repos, groupId, sentAt),
      });
      if (options.replyTo) this.ctx.queries.setReplyTo(id, options.replyTo);
      const content: Content = {
        v: 1,
        id,
        sentAt,
        groupId,
        kind: 'text',
        text,
        ...(options.urgent ? { urgent: true } : {}),
        ...(options.replyTo ? { replyTo: options.replyTo } : {}),
      };
      this.store.enqueue(groupId, id, encodeContent(content), now);
      this.store.addRecipients(
        id,
        head.members.filter((m) => m !== self),
      );
      this.ctx.repos.conversations.touch(groupId, sentAt);
      const stored = this.ctx.repos.messages.get(id) as MessageRecord;
      emit({ type: 'message.added', message: stored });
      emit({ type: 'conversation.updated', conversationId: groupId });
      return stored;
    });
    this.kickSender();
    return message;
  }

  /** A failed group message goes back to pending and into the group outbox, with the same id. */
  async retry(messageId: string): Promise<MessageRecord> {
    const message = this.ctx.repos.messages.get(messageId);
    if (!message || message.direction !== 'outgoing' || !this.isGroup(message.conversationId)) {
      throw new MessengerError(
        'not_found',
        'There is no message of yours in a group with that id.',
      );
    }
    if (message.status !== 'failed') return message;
    const groupId = message.conversationId;
    const group = this.store.group(groupId);
    if (!group || group.leftAt !== null) {
      throw new MessengerError('forbidden', 'You are no longer a member of this group.');
    }
    const replyTo = this.ctx.queries.replyTo(messageId);
    const updated = await this.ctx.txEmit(async (emit) => {
      this.ctx.repos.messages.updateStatus(messageId, 'pending');
      // As first sent: a file's message carries its key again (the blob is on the relay).
      const content: Content = {
        ...contentOfMessage(message, replyTo, this.ctx.repos.attachments.get(message.id)),
        groupId,
      };
      this.store.enqueue(groupId, message.id, encodeContent(content), this.ctx.now());
      emit({
        type: 'message.status',
        conversationId: groupId,
        messageId,
        status: 'pending',
        failureReason: null,
      });
      return this.ctx.repos.messages.get(messageId) as MessageRecord;
    });
    this.kickSender();
    return updated;
  }

  /** "Read by 3 of 5": who of the members at sending time has received and read a message. */
  receipts(messageId: string): GroupReceipts {
    const counts = this.store.receiptCounts(messageId);
    return {
      ...counts,
      people: this.store.recipients(messageId).map((r) => ({
        ...r,
        displayName:
          this.ctx.repos.contacts.get(r.accountId)?.displayName ?? 'Someone not in your directory',
      })),
    };
  }

  private adminHead(groupId: string, what = 'add or remove members'): GroupStateBody {
    const head = this.states.head(groupId);
    if (!head) throw new MessengerError('not_found', 'There is no such group on this device.');
    if (
      this.store.group(groupId)?.leftAt != null ||
      !head.members.includes(this.ctx.account.accountId)
    ) {
      throw new MessengerError('forbidden', 'You are no longer a member of this group.');
    }
    if (!head.admins.includes(this.ctx.account.accountId)) {
      throw new MessengerError('forbidden', `Only the group's admins can ${what}.`);
    }
    return head;
  }

  private next(head: GroupStateBody, change: Partial<GroupStateBody>): GroupStateBody {
    return {
      ...head,
      ...change,
      version: head.version + 1,
      parentHash: stateHash(head),
      changedAt: Math.max(this.ctx.now(), head.changedAt + 1),
    };
  }

  /** Signs the new state, accepts it here and queues it for the members (GroupStates.author). */
  private async commit(body: GroupStateBody, previousMembers: readonly string[]): Promise<void> {
    await this.ctx.txEmit(async (emit) => this.states.author(body, previousMembers, emit));
  }

  /** Each person must be in the practice directory (looked up on the relay if not yet here). */
  private async knowAll(accountIds: readonly string[]): Promise<void> {
    for (const accountId of accountIds) {
      if (this.ctx.repos.contacts.get(accountId)) continue;
      try {
        const entry = await this.ctx.http.call('account', { params: { accountId } });
        await this.ctx.tx(async () => this.ctx.repos.contacts.upsert(entry, this.ctx.now()));
      } catch (error) {
        if (
          error instanceof RelayRequestError &&
          (error.code === 'not_found' || error.code === 'invalid_input')
        ) {
          throw new MessengerError('not_found', `${accountId} is not in your practice directory.`);
        }
        throw toMessengerError(error);
      }
    }
  }

  private summary(groupId: string): GroupSummary | null {
    const head = this.states.head(groupId);
    const group = this.store.group(groupId);
    if (!head || !group) return null;
    const self = this.ctx.account.accountId;
    return {
      groupId,
      name: head.name,
      version: head.version,
      members: head.members.map((accountId) => {
        const contact = this.ctx.repos.contacts.get(accountId);
        return {
          accountId,
          displayName:
            accountId === self ? 'You' : (contact?.displayName ?? 'Someone not in your directory'),
          role: contact?.role ?? null,
          admin: head.admins.includes(accountId),
        };
      }),
      isMember: group.leftAt === null && head.members.includes(self),
      isAdmin: group.leftAt === null && head.admins.includes(self),
      disappearingSeconds: head.disappearingSeconds ?? null,
    };
  }
}

function checkName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > maxGroupNameLength) {
    throw new MessengerError(
      'invalid_input',
      `A group name is 1 to ${maxGroupNameLength} characters.`,
    );
  }
  return trimmed;
}
