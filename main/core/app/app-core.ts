/**
 * Everything behind `window.messenger` that is not Electron, composed once: the profile store
 * behind the session, one profile runtime per unlocked profile, the handlers and the dispatcher
 * that validates every call. The Electron shell (main/electron/index.ts) builds it with an IPC
 * event sink and native dialogs; the browser harness (tests/harness/) with a WebSocket sink.
 */
import {
  events as eventContract,
  methods as methodContract,
} from '../../../shared/ipc/contract.js';
import { MessengerError } from '../../../shared/errors.js';
import type { EventName } from '../../../shared/ipc/names.js';
import { SensitiveClipboard, type SystemClipboard } from '../clipboard/sensitive-clipboard.js';
import { createIpcDispatcher, type IpcDispatcher } from '../ipc/ipc-dispatcher.js';
import { createIpcEventEmitter, type IpcEventEmitter } from '../ipc/ipc-event-emitter.js';
import { createLogger, type Logger } from '../log/logger.js';
import type { MessagingTuning } from '../messaging/core-context.js';
import type { LoadedPolicy } from '../policy/load-policy.js';
import type { ProfileStore } from '../profile/profile-store.js';
import { systemClock, type TimerClock } from '../time/timer-clock.js';
import { createAppSession, type AppSession } from './app-session.js';
import { attemptLimitedGateway } from './attempt-limited-gateway.js';
import { createAttachmentHandlers, type SystemViewer } from './attachment-handlers.js';
import { createClinicalHandlers, type PathPicker } from './clinical-handlers.js';
import { createIpcHandlers, type AppInfo } from './ipc-handlers.js';
import { createMessagingHandlers } from './messaging-handlers.js';
import { ProfileRuntime } from './profile-runtime.js';

export interface AppCoreOptions {
  appInfo: AppInfo;
  policy: LoadedPolicy;
  /** Where staff profiles live (the app's userData/profiles, or a harness window's folder). */
  profileStore: ProfileStore;
  /** The system clipboard: plain copies, and record entries cleared again after a while. */
  clipboard: SystemClipboard;
  /** Native save, open and folder dialogs; null where there are none. */
  pickPath: PathPicker | null;
  /** The system's file viewer (attachments.open); absent where there is none. */
  viewer?: SystemViewer | null;
  /** Delivers an already-validated event to the renderer. */
  sendEvent: (channel: string, payload: unknown) => void;
  /** Timestamps of messages and settings; Date.now unless a test says otherwise. */
  now?: () => number;
  /** Retention and transcription timers; the system clock unless a test says otherwise. */
  clock?: TimerClock;
  tuning?: Partial<MessagingTuning>;
  logger?: Logger;
  /** How long a confirmed transcription can be undone (default 10 s). */
  undoWindowMs?: number;
}

export type EventObserver = (event: EventName, payload: unknown) => void;

export interface AppCore {
  session: AppSession<ProfileRuntime>;
  events: IpcEventEmitter;
  dispatcher: IpcDispatcher;
  /** Main-side listeners (notifications, idle lock) see every event the renderer sees. */
  observe(observer: EventObserver): () => void;
}

export function createAppCore(options: AppCoreOptions): AppCore {
  const { policy } = options.policy;
  const logger = options.logger ?? createLogger('app');
  const clock = options.clock ?? systemClock;
  const observers = new Set<EventObserver>();
  const observe = (observer: EventObserver) => {
    observers.add(observer);
    return () => observers.delete(observer);
  };
  const events = createIpcEventEmitter(eventContract, (channel, payload, name) => {
    options.sendEvent(channel, payload);
    for (const observer of observers) observer(name, payload);
  });
  const clipboard = new SensitiveClipboard(
    options.clipboard,
    clock,
    policy.clipboardClearSeconds * 1000,
  );

  const profiles = attemptLimitedGateway(options.profileStore, {
    maxPasscodeAttempts: policy.maxPasscodeAttempts,
    policy: options.policy,
    ...(options.now ? { now: options.now } : {}),
  });
  const session: AppSession<ProfileRuntime> = createAppSession(profiles, {
    start: (unlocked) => {
      const runtime: ProfileRuntime = ProfileRuntime.start({
        unlocked,
        policy,
        events,
        clipboard,
        clock,
        logger,
        ...(options.now ? { now: options.now } : {}),
        ...(options.tuning ? { tuning: options.tuning } : {}),
        ...(options.undoWindowMs === undefined ? {} : { undoWindowMs: options.undoWindowMs }),
        lockSession: async () => {
          if (session.runtime() === runtime) await session.lock('user');
        },
      });
      return runtime;
    },
    stop: (runtime) => runtime.dispose(),
    locked: (reason) => events.emit('session.locked', { reason }),
    unlocked: (profileId) => events.emit('session.unlocked', { profileId }),
  });
  const runtime = (): ProfileRuntime => {
    const current = session.runtime();
    // The dispatcher refuses `unlocked` methods while locked; this covers a lock mid-call.
    if (current === null) throw new MessengerError('profile_locked', 'Unlock your profile first.');
    // Every unlocked call comes through here: the background passes wait for a quiet moment.
    current.callMade();
    return current;
  };

  const handlers = createIpcHandlers(
    {
      appInfo: options.appInfo,
      policy: options.policy,
      profiles,
      session,
      events,
      clipboard: options.clipboard,
      ...(options.now ? { now: options.now } : {}),
    },
    createMessagingHandlers({ policy, runtime, logger }),
    createAttachmentHandlers({
      policy,
      runtime,
      pickPath: options.pickPath,
      viewer: options.viewer ?? null,
    }),
    createClinicalHandlers({ policy, runtime, pickPath: options.pickPath, clock }),
  );
  const dispatcher = createIpcDispatcher(methodContract, handlers, {
    isUnlocked: () => session.isUnlocked(),
  });
  return { session, events, dispatcher, observe };
}
