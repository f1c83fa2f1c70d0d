/**
 * Everything behind `window.messenger` that is not Electron: the session, the handlers and the
 * dispatcher that validates every call. The Electron shell builds one with an IPC event sink;
 * the browser test harness can build the same with a WebSocket sink.
 *
 * The messaging core plugs in through `messaging`: a factory given the session and the event
 * emitter, returning handlers for the conversation and message methods.
 */
import {
  events as eventContract,
  methods as methodContract,
} from '../../../shared/ipc/contract.js';
import type { EventName } from '../../../shared/ipc/names.js';
import { createIpcDispatcher, type IpcDispatcher } from '../ipc/ipc-dispatcher.js';
import { createIpcEventEmitter, type IpcEventEmitter } from '../ipc/ipc-event-emitter.js';
import type { LoadedPolicy } from '../policy/load-policy.js';
import { createAppSession, type AppSession } from './app-session.js';
import {
  createIpcHandlers,
  type AppInfo,
  type ClinicalHandlers,
  type MessagingHandlers,
} from './ipc-handlers.js';
import type { ProfileGateway } from './profile-gateway.js';

export interface AppCoreOptions {
  appInfo: AppInfo;
  policy: LoadedPolicy;
  profiles: ProfileGateway;
  clipboard: { writeText(text: string): void };
  /** Delivers an already-validated event to the renderer. */
  sendEvent: (channel: string, payload: unknown) => void;
  messaging?: (context: {
    session: AppSession;
    events: IpcEventEmitter;
    /** Every event main emits (e.g. session.unlocked, to start receiving in the background). */
    observe?: (observer: EventObserver) => () => void;
  }) => Partial<MessagingHandlers>;
  /** Transcription, audit and export (clinical-handlers.ts), on the same context as messaging. */
  clinical?: (context: {
    session: AppSession;
    events: IpcEventEmitter;
    observe: (observer: EventObserver) => () => void;
  }) => Partial<ClinicalHandlers>;
  now?: () => number;
}

export type EventObserver = (event: EventName, payload: unknown) => void;

export interface AppCore {
  session: AppSession;
  events: IpcEventEmitter;
  dispatcher: IpcDispatcher;
  /** Main-side listeners (notifications, idle lock) see every event the renderer sees. */
  observe(observer: EventObserver): () => void;
}

export function createAppCore(options: AppCoreOptions): AppCore {
  const observers = new Set<EventObserver>();
  const observe = (observer: EventObserver) => {
    observers.add(observer);
    return () => observers.delete(observer);
  };
  const events = createIpcEventEmitter(eventContract, (channel, payload, name) => {
    options.sendEvent(channel, payload);
    for (const observer of observers) observer(name, payload);
  });
  const session = createAppSession(options.profiles, {
    locked: (reason) => events.emit('session.locked', { reason }),
    unlocked: (profileId) => events.emit('session.unlocked', { profileId }),
  });
  const handlers = createIpcHandlers(
    {
      appInfo: options.appInfo,
      policy: options.policy,
      profiles: options.profiles,
      session,
      events,
      clipboard: options.clipboard,
      ...(options.now ? { now: options.now } : {}),
    },
    options.messaging?.({ session, events, observe }) ?? {},
    options.clinical?.({ session, events, observe }) ?? {},
  );
  const dispatcher = createIpcDispatcher(methodContract, handlers, {
    isUnlocked: () => session.isUnlocked(),
  });
  return {
    session,
    events,
    dispatcher,
    observe,
  };
}
