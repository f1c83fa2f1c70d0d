/**
 * Main -> renderer events. Payloads are parsed through the contract before they leave, for the
 * same reason responses are: only fields the schema names reach the renderer.
 */
import type { z } from 'zod';
import type { Events } from '../../../shared/ipc/contract.js';
import { eventChannel, type EventName } from '../../../shared/ipc/names.js';
import { createLogger, type Logger } from '../log/logger.js';

export type EventSink = (channel: string, payload: unknown, event: EventName) => void;

export interface IpcEventEmitter {
  emit<E extends EventName>(event: E, payload: z.input<Events[E]>): void;
}

export function createIpcEventEmitter(
  contract: Events,
  sink: EventSink,
  logger: Logger = createLogger('ipc.events'),
): IpcEventEmitter {
  return {
    emit(event, payload) {
      const parsed = contract[event].safeParse(payload);
      if (!parsed.success) {
        // A bug in main: drop the event rather than send the renderer something unvetted.
        logger.error('event_invalid', { event });
        return;
      }
      sink(eventChannel(event), parsed.data, event);
    },
  };
}
