import { isClinicalRole } from '../../../../shared/clinical/clinical-roles.js';
import type { Content } from '../content-codec.js';
import type { CoreContext } from '../core-context.js';
import type { MessagingEvent } from '../messaging-events.js';
import { writeTranscribedMarkers } from '../transcribed-markers.js';

type Emit = (event: MessagingEvent) => void;

export interface GroupChangeSource {
  readonly accountId: string;
  readonly deviceId: number;
}

/**
 * Which of these ids the sender may delete in the group, by the 1:1 rules (docs/security.md,
 * "Deleting after transcription"): their own messages, anyone's when the reason is a
 * transcription and the sender's role here is clinical, and ids not stored here (tombstoned, so
 * a late copy is not stored). Notices this device wrote are never theirs to delete. The person's
 * own other devices act for the person.
 */
function allowedIds(
  ctx: CoreContext,
  groupId: string,
  ids: readonly string[],
  from: GroupChangeSource,
  reason: 'sender' | 'transcribed',
): { allowed: string[]; refused: string[] } {
  const own = from.accountId === ctx.account.accountId;
  const clinical =
    reason === 'transcribed' &&
    (own || isClinicalRole(ctx.repos.contacts.get(from.accountId)?.role));
  const allowed: string[] = [];
  const refused: string[] = [];
  for (const id of ids) {
    const message = ctx.repos.messages.get(id);
    if (message !== null && message.conversationId !== groupId) continue;
    const permitted =
      message === null ||
      (message.kind === 'text' && (message.senderAccountId === from.accountId || clinical));
    (permitted ? allowed : refused).push(id);
  }
  return { allowed, refused };
}

/** A member deleted messages of the group for everyone (as the sender, or as transcribed). */
export function applyGroupDelete(
  ctx: CoreContext,
  groupId: string,
  content: Extract<Content, { kind: 'delete' }>,
  from: GroupChangeSource,
  emit: Emit,
): void {
  const { allowed: ids, refused } = allowedIds(
    ctx,
    groupId,
    content.messageIds,
    from,
    content.reason,
  );
  const now = ctx.now();
  const own = from.accountId === ctx.account.accountId;
  const markers =
    content.reason === 'transcribed'
      ? writeTranscribedMarkers(ctx.repos, {
          conversationId: groupId,
          messageIds: ids,
          transcribedBy: from.accountId,
          transcribedAt: content.transcribedAt ?? now,
          now,
        })
      : [];
  ctx.repos.messages.delete(ids, now, content.reason);
  ctx.repos.audit.append({
    at: now,
    actorAccountId: from.accountId,
    action: 'messages_deleted_for_everyone',
    conversationId: groupId,
    messageIds: ids,
    details: {
      reason: content.reason,
      origin: own ? 'own_device' : 'peer',
      ...(own ? { deviceId: from.deviceId } : {}),
    },
  });
  if (refused.length > 0) {
    ctx.repos.audit.append({
      at: now,
      actorAccountId: from.accountId,
      action: 'messages_delete_refused',
      conversationId: groupId,
      messageIds: refused,
      details: {
        reason: content.reason,
        origin: 'peer',
        peerRole: ctx.repos.contacts.get(from.accountId)?.role ?? null,
      },
    });
    ctx.logger.warn('peer_delete_refused', { count: refused.length, reason: content.reason });
  }
  emit({
    type: 'message.deleted',
    conversationId: groupId,
    messageIds: ids,
    reason: content.reason,
  });
  for (const marker of markers) emit({ type: 'message.added', message: marker });
  emit({ type: 'conversation.updated', conversationId: groupId });
}

/**
 * A member transcribed messages of the group into a patient record: marked here too, attributed
 * to the authenticated sender, and deleted here at `deleteAt` (never later than already due).
 */
export function applyGroupTranscribed(
  ctx: CoreContext,
  groupId: string,
  content: Extract<Content, { kind: 'transcribed' }>,
  from: GroupChangeSource,
  emit: Emit,
): void {
  const { messages } = ctx.repos;
  const { allowed } = allowedIds(ctx, groupId, content.messageIds, from, 'transcribed');
  const stored = allowed.map((id) => messages.get(id)).filter((m) => m !== null);
  if (content.transcribedBy !== from.accountId) {
    ctx.logger.warn('transcribed_by_mismatch', { sender: from.accountId });
  }
  messages.markTranscribed(
    stored.map((m) => m.id),
    from.accountId,
    content.transcribedAt,
  );
  const { deleteAt } = content;
  if (deleteAt !== undefined) {
    messages.setExpiry(
      stored.filter((m) => m.expiresAt === null || m.expiresAt > deleteAt).map((m) => m.id),
      deleteAt,
    );
  }
  for (const message of stored) {
    const updated = messages.get(message.id);
    if (updated) emit({ type: 'message.updated', message: updated });
  }
}
