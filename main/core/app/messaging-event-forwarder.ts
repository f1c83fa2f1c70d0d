/**
 * Turns the messaging core's events into the renderer's IPC events (shared/ipc/contract.ts),
 * including why the relay refused this device. What the refusal demands of this computer (remote
 * wipe) is the profile runtime's (profile-runtime.ts).
 */
import { assertNever } from '../../../shared/errors.js';
import type { EventPayload } from '../../../shared/ipc/contract.js';
import type { IpcEventEmitter } from '../ipc/ipc-event-emitter.js';
import type { MessagingEvent } from '../messaging/messaging-events.js';
import { replacedExplanation } from '../messaging/relay-errors.js';
import { removedByOwnDeviceExplanation } from '../../../shared/removed-device-explanation.js';
import type { OpenProfile } from '../profile/open-profile.js';
import type { MessagingViews } from './messaging-views.js';

export interface ForwardSource {
  readonly profile: OpenProfile;
  readonly views: MessagingViews;
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
  source: ForwardSource,
  events: IpcEventEmitter,
): void {
  const { profile, views } = source;
  if (event.type === 'account.stopped') {
    // Announced even when the profile is already closed: the renderer must learn why.
    const reason: StopReason = event.reason === 'wipe' ? 'wiped' : event.reason;
    const { removedBy } = event;
    if (reason === 'wiped' && removedBy) {
      const message = removedByOwnDeviceExplanation(removedBy);
      events.emit('account.stopped', { reason, message, removedBy });
      return;
    }
    events.emit('account.stopped', { reason, message: stopMessages[reason] });
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
    case 'devices.changed':
      events.emit('devices.changed', {});
      return;
    case 'attachment.progress':
      events.emit('attachment.progress', {
        conversationId: event.conversationId,
        messageId: event.messageId,
        done: event.done,
        total: event.total,
      });
      return;
    case 'queue.drained':
      return;
    default:
      assertNever(event, 'messaging event');
  }
}
