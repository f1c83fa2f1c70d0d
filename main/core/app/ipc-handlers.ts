/**
 * The handler of every contract method. The shell's own methods (app, policy, profiles, settings,
 * clipboard) are answered here; the messaging methods by messaging-handlers.ts, files by
 * attachment-handlers.ts and the clinical ones by clinical-handlers.ts, each a thin map onto the unlocked profile's runtime.
 */
import { MessengerError } from '../../../shared/errors.js';
import { methodsByArea } from '../../../shared/ipc/names.js';
import type { PolicyView } from '../../../shared/ipc/view-schemas.js';
import type { IpcHandlers } from '../ipc/ipc-dispatcher.js';
import type { LoadedPolicy } from '../policy/load-policy.js';
import type { AppSession } from './app-session.js';
import type { ProfileGateway, UnlockedProfile } from './profile-gateway.js';
import { changeSettings, readSettings } from './user-settings.js';
import type { IpcEventEmitter } from '../ipc/ipc-event-emitter.js';

export const messagingMethods = methodsByArea.messaging;

export type MessagingMethod = (typeof messagingMethods)[number];
export type MessagingHandlers = Pick<IpcHandlers, MessagingMethod>;

/** Files: answered by attachment-handlers.ts. */
export const attachmentMethods = methodsByArea.attachments;

export type AttachmentMethod = (typeof attachmentMethods)[number];
export type AttachmentHandlers = Pick<IpcHandlers, AttachmentMethod>;

/** Transcription, advice, audit and export: answered by clinical-handlers.ts. */
export const clinicalMethods = methodsByArea.clinical;

export type ClinicalMethod = (typeof clinicalMethods)[number];
export type ClinicalHandlers = Pick<IpcHandlers, ClinicalMethod>;
type ShellHandlers = Omit<IpcHandlers, MessagingMethod | AttachmentMethod | ClinicalMethod>;

export interface AppInfo {
  productName: string;
  version: string;
  platform: string;
}

export interface ShellDependencies {
  appInfo: AppInfo;
  policy: LoadedPolicy;
  profiles: ProfileGateway;
  session: AppSession<unknown>;
  events: IpcEventEmitter;
  clipboard: { writeText(text: string): void };
  now?: () => number;
}

export function policyView(loaded: LoadedPolicy): PolicyView {
  const { serverCertificateSha256: _pin, ...rest } = loaded.policy;
  return { ...rest, source: loaded.source };
}

export function createShellHandlers(deps: ShellDependencies): ShellHandlers {
  const now = deps.now ?? Date.now;
  const { policy } = deps.policy;
  const unlocked = (): UnlockedProfile => {
    const current = deps.session.current();
    // The dispatcher refuses `unlocked` methods while locked; this covers a lock mid-call.
    if (current === null) throw new MessengerError('profile_locked', 'Unlock your profile first.');
    return current;
  };
  return {
    'app.info': () => ({ ...deps.appInfo, licence: 'AGPL-3.0-only' }),
    'policy.get': () => policyView(deps.policy),
    'profiles.list': async () => ({
      profiles: await deps.profiles.list(),
      unlockedProfileId: deps.session.current()?.summary.id ?? null,
    }),
    'profiles.create': async ({ displayName, passcode }) => ({
      profile: await deps.session.create(displayName, passcode),
    }),
    'profiles.unlock': async ({ profileId, passcode }) => ({
      profile: await deps.session.unlock(profileId, passcode),
    }),
    'profiles.lock': async () => {
      await deps.session.lock('user');
      return {};
    },
    'profiles.delete': async ({ profileId, passcode }) => {
      if (deps.session.current()?.summary.id === profileId) await deps.session.lock('user');
      await deps.profiles.delete(profileId, passcode);
      return {};
    },
    'profiles.changePasscode': async ({ currentPasscode, newPasscode }) => {
      await unlocked().changePasscode(currentPasscode, newPasscode);
      return {};
    },
    'settings.get': () => readSettings(unlocked().settings, policy),
    'settings.set': (change) => {
      const settings = changeSettings(unlocked().settings, change, policy, now());
      deps.events.emit('settings.changed', settings);
      return settings;
    },
    'clipboard.writeText': ({ text }) => {
      deps.clipboard.writeText(text);
      return {};
    },
  };
}

export function createIpcHandlers(
  deps: ShellDependencies,
  messaging: MessagingHandlers,
  attachments: AttachmentHandlers,
  clinical: ClinicalHandlers,
): IpcHandlers {
  return { ...messaging, ...attachments, ...clinical, ...createShellHandlers(deps) };
}
