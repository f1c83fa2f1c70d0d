import type { MessageRecord, MessageStatus } from '../db/repositories/messages-repository.js';
import type { WireRemovedBy } from '../../../shared/protocol/index.js';
import type { ConnectionState } from './relay/relay-socket.js';

/** Everything the messaging core tells the outside world (IPC layer, CLI, tests). */
export type MessagingEvent =
  | { readonly type: 'message.added'; readonly message: MessageRecord }
  /** Something other than the status changed (transcribed, expiry). */
  | { readonly type: 'message.updated'; readonly message: MessageRecord }
  | {
      readonly type: 'message.status';
      readonly conversationId: string;
      readonly messageId: string;
      readonly status: MessageStatus;
      readonly failureReason: string | null;
    }
  | {
      readonly type: 'message.deleted';
      readonly conversationId: string;
      readonly messageIds: readonly string[];
      readonly reason: 'sender' | 'transcribed';
    }
  | { readonly type: 'conversation.updated'; readonly conversationId: string }
  /** Chunks of an attachment uploaded or downloaded so far (state changes are message.updated). */
  | {
      readonly type: 'attachment.progress';
      readonly conversationId: string;
      readonly messageId: string;
      readonly done: number;
      readonly total: number;
    }
  | { readonly type: 'identity.changed'; readonly accountId: string }
  | { readonly type: 'connection.changed'; readonly state: ConnectionState; readonly since: number }
  /** The relay refused this device for good; `wipe` when it asked for the data to be erased. */
  | {
      readonly type: 'account.stopped';
      readonly reason: 'revoked' | 'wipe' | 'unauthorized' | 'replaced';
      /** A wipe the person asked for from another of their devices (protocol §2a). */
      readonly removedBy?: WireRemovedBy;
    }
  /** Another of the person's devices removed one of theirs: their device list changed. */
  | { readonly type: 'devices.changed' }
  /** The relay's queue for this device has been fully received and stored. */
  | { readonly type: 'queue.drained' };

export type MessagingEventType = MessagingEvent['type'];
export type MessagingEventOf<T extends MessagingEventType> = Extract<MessagingEvent, { type: T }>;
export type MessagingListener = (event: MessagingEvent) => void;

/** A typed event stream. Listener errors are isolated so one bad listener cannot stop the core. */
export class MessagingEvents {
  private readonly listeners = new Set<MessagingListener>();

  on(listener: MessagingListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves with the first event of `type` that satisfies `matches`. */
  next<T extends MessagingEventType>(
    type: T,
    matches: (event: MessagingEventOf<T>) => boolean = () => true,
  ): Promise<MessagingEventOf<T>> {
    return new Promise((resolve) => {
      const off = this.on((event) => {
        if (event.type === type && matches(event as MessagingEventOf<T>)) {
          off();
          resolve(event as MessagingEventOf<T>);
        }
      });
    });
  }

  emit(event: MessagingEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch {
        // A listener's bug must not break delivery to the others or the pipeline.
      }
    }
  }
}
