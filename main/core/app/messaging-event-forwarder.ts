/**
 * Turns the messaging core's events into the renderer's IPC events (shared/ipc/contract.ts), and
 * carries out what the relay's refusal of this device demands: on remote wipe, the profile is
 * erased from this computer (database files and keychain entry) and the session locks.
 */
import { assertNever } from '../../../shared/errors.js';
import type { EventPayload } from '../../../shared/ipc/contract.js';
import type { IpcEventEmitter } from '../ipc/ipc-event-emitter.js';
import type { Logger } from '../log/logger.js';
import type { MessagingEvent } from '../messaging/messaging-events.js';
import { replacedExplanation } from '../messaging/relay-errors.js';
import type { OpenProfile } from '../profile/open-profile.js';
import type { AppSession } from './app-session.js';
import type { MessagingViews } from './messaging-views.js';
import type { UnlockedProfile } from './profile-gateway.js';
import { describeError } from '../../../shared/describe-error.js';

export interface ForwardTarget {
  readonly unlocked: UnlockedProfile;
  readonly profile: OpenProfile;
  readonly views: MessagingViews;
}

export interface ForwardContext {
  readonly events: IpcEventEmitter;
  readonly session: AppSession;
  readonly logger: Logger;
  /** Overrides how a wiped profile is erased (default: the gateway's `erase`). */
  readonly wipeProfile?: ((profileId: string) => Promise<void>) | undefined;
}

type StopReason = EventPayload<'account.stopped'>['reason'];

const stopMessages: Record<StopReason, string> = {
  wiped:
    'Your practice revoked this device with remote wipe. Your profile and its messages are being erased from this computer. Ask your practice manager for a new enrolment code.',
  revoked:
    'Your practice revoked this device: the relay no longer accepts it. Ask your practice manager to enrol it again.',
  unauthorized:
    'The relay no longer recognises this device. Ask your practice manager to enrol it again.',
  replaced: replacedExplanation,
};

export function forwardMessagingEvent(
  event: MessagingEvent,
  target: ForwardTarget,
  context: ForwardContext,
): void {
  const { events } = context;
  const { profile, views } = target;
  if (event.type === 'account.stopped') {
    // Announced even when the profile is already closed: the renderer must learn why.
    const reason: StopReason = event.reason === 'wipe' ? 'wiped' : event.reason;
    events.emit('account.stopped', { reason, message: stopMessages[reason] });
    if (reason === 'wiped') void wipe(target, context);
    return;
  }
  if (profile.closed) return;
  const conversationUpdated = (conversationId: string) => {
    const record = profile.repositories.conversations.get(conversationId);
    if (record) events.emit('conversation.updated', { conversation: views.conversation(record) });
  };
  switch (event.type) {
    case 'message.added':
      events.emit('message.added', { message: views.message(event.message) });
      return;
    case 'message.status':
      events.emit('message.status', {
        conversationId: event.conversationId,
        messageId: event.messageId,
        status: event.status,
        failureReason: event.failureReason,
      });
      return;
    case 'message.updated':
      events.emit('message.updated', { message: views.message(event.message) });
      conversationUpdated(event.message.conversationId);
      return;
    case 'message.deleted':
      events.emit('messages.deleted', {
        conversationId: event.conversationId,
        messageIds: [...event.messageIds],
        reason: event.reason,
      });
      conversationUpdated(event.conversationId);
      return;
    case 'conversation.updated':
      conversationUpdated(event.conversationId);
      return;
    case 'identity.changed':
      events.emit('identity.changed', { accountId: event.accountId });
      return;
    case 'connection.changed':
      events.emit('connection.changed', { state: event.state, since: event.since });
      return;
    case 'queue.drained':
      return;
    default:
      assertNever(event, 'messaging event');
  }
}

/** Locks (closing the database, so its key leaves memory), then erases files and keychain entry. */
async function wipe(target: ForwardTarget, context: ForwardContext): Promise<void> {
  const { session, logger } = context;
  const id = target.profile.id;
  try {
    if (session.current() === target.unlocked) await session.lock('user');
    if (context.wipeProfile) await context.wipeProfile(id);
    else if (target.unlocked.erase) await target.unlocked.erase();
    else throw new Error('no way to erase profiles was configured');
    logger.warn('profile_remote_wiped', { profileId: id });
  } catch (error) {
    logger.error('remote_wipe_failed', {
      profileId: id,
      error: describeError(error),
    });
  }
}
