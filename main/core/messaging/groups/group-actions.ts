import { MessengerError } from '../../../../shared/errors.js';
import type { TranscribedNotice } from '../../transcription/originals-deleter.js';
import { encodeContent, type Content, type ContentBody } from '../content-codec.js';
import type { CoreContext } from '../core-context.js';
import { newMessageId } from '../message-ids.js';
import { writeTranscribedMarkers } from '../transcribed-markers.js';
import type { GroupStates } from './group-states.js';
import type { GroupsStore } from './groups-store.js';

const chunk = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) =>
    items.slice(i * size, (i + 1) * size),
  );

/**
 * What 1:1 conversations have, in a group: delete for everyone (the sender deletes their own;
 * a clinician deletes what they transcribed into the record) and the "transcribed" notice. Each
 * is group content with the group's id, encrypted once with this device's sender key and sent
 * with the group's messages (GroupSender), in order, to every device of every member, the
 * person's own other devices included — so it needs no separate own-device sync. Receivers
 * check it as they would 1:1 (group-inbound-changes.ts).
 */
export class GroupActions {
  constructor(
    private readonly ctx: CoreContext,
    private readonly store: GroupsStore,
    private readonly states: GroupStates,
    private readonly kickSender: () => void,
  ) {}

  async deleteForEveryone(
    groupId: string,
    messageIds: readonly string[],
    reason: 'sender' | 'transcribed',
  ): Promise<void> {
    this.assertMember(groupId);
    const self = this.ctx.account.accountId;
    for (const id of messageIds) {
      const message = this.ctx.repos.messages.get(id);
      if (message && message.conversationId !== groupId) {
        throw new MessengerError('invalid_input', `Message ${id} is not in this group.`);
      }
      // As 1:1: a sender deletes what they wrote; others' messages go only as transcribed.
      if (message && reason === 'sender' && message.senderAccountId !== self) {
        throw new MessengerError(
          'forbidden',
          `Message ${id} was written by someone else: you can delete only your own messages for everyone.`,
        );
      }
    }
    await this.ctx.txEmit(async (emit) => {
      const now = this.ctx.now();
      const transcribedAt = this.transcribedAt(messageIds, now);
      const markers =
        reason === 'transcribed'
          ? writeTranscribedMarkers(this.ctx.repos, {
              conversationId: groupId,
              messageIds,
              transcribedBy: self,
              transcribedAt,
              now,
            })
          : [];
      for (const id of messageIds) this.store.removeForMessage(id);
      this.ctx.repos.messages.delete(messageIds, now, reason);
      for (const ids of chunk(messageIds, 500)) {
        this.enqueue(
          groupId,
          {
            kind: 'delete',
            messageIds: ids,
            reason,
            ...(reason === 'transcribed' ? { transcribedAt } : {}),
          },
          now,
        );
      }
      this.ctx.repos.audit.append({
        at: now,
        actorAccountId: self,
        action: 'messages_deleted_for_everyone',
        conversationId: groupId,
        messageIds,
        details: { reason, origin: 'self' },
      });
      emit({ type: 'message.deleted', conversationId: groupId, messageIds, reason });
      for (const marker of markers) emit({ type: 'message.added', message: marker });
      emit({ type: 'conversation.updated', conversationId: groupId });
    });
    this.kickSender();
  }

  async sendTranscribedNotice(groupId: string, notice: TranscribedNotice): Promise<void> {
    this.assertMember(groupId);
    const { messageIds, transcribedBy, transcribedAt, deleteAt } = notice;
    await this.ctx.txEmit(async (emit) => {
      const now = this.ctx.now();
      this.ctx.repos.messages.markTranscribed(messageIds, transcribedBy, transcribedAt);
      for (const ids of chunk(messageIds, 500)) {
        this.enqueue(
          groupId,
          {
            kind: 'transcribed',
            messageIds: ids,
            transcribedBy,
            transcribedAt,
            ...(deleteAt === undefined ? {} : { deleteAt }),
          },
          now,
        );
      }
      for (const id of messageIds) {
        const message = this.ctx.repos.messages.get(id);
        if (message) emit({ type: 'message.updated', message });
      }
    });
    this.kickSender();
  }

  private enqueue(groupId: string, body: ContentBody, now: number): void {
    const content = { v: 1, id: newMessageId(now), sentAt: now, groupId, ...body } as Content;
    this.store.enqueue(groupId, null, encodeContent(content), now);
  }

  private assertMember(groupId: string): void {
    const group = this.store.group(groupId);
    const head = this.states.head(groupId);
    if (!group || !head)
      throw new MessengerError('not_found', 'There is no such group on this device.');
    if (group.leftAt !== null || !head.members.includes(this.ctx.account.accountId)) {
      throw new MessengerError('forbidden', 'You are no longer a member of this group.');
    }
  }

  private transcribedAt(messageIds: readonly string[], now: number): number {
    for (const id of messageIds) {
      const at = this.ctx.repos.messages.get(id)?.transcribedAt;
      if (at != null) return at;
    }
    return now;
  }
}
