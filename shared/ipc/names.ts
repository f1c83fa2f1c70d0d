/**
 * The names of every IPC method and event, and their channels. Kept apart from the zod contract
 * so the sandboxed preload can build `window.messenger` without bundling zod; contract.ts is
 * typed against these lists, so a name missing on either side fails to compile.
 */
/**
 * Every method, grouped once by the area of the app that answers it: the shell (app, policy,
 * profiles, settings, clipboard), messaging over the relay, files, and the clinical record work
 * (transcription, advice, audit, export). The wire names do not change with the grouping.
 */
export const methodsByArea = {
  shell: [
    'app.info',
    'policy.get',
    'profiles.list',
    'profiles.create',
    'profiles.unlock',
    'profiles.lock',
    'profiles.delete',
    'profiles.changePasscode',
    'settings.get',
    'settings.set',
    'clipboard.writeText',
  ],
  messaging: [
    'account.get',
    'account.enrol',
    'account.enrolWithLink',
    'conversations.list',
    'conversations.create',
    'messages.page',
    'messages.send',
    'messages.retry',
    'messages.markRead',
    'messages.deleteForEveryone',
    'conversations.setDisappearingTimer',
    'directory.list',
    'safetyNumber.get',
    'identity.acknowledge',
    'devices.list',
    'devices.remove',
    'devices.link',
    'devices.linkStatus',
    'devices.decideLink',
    'groups.get',
    'groups.addMember',
    'groups.removeMember',
    'groups.leave',
    'groups.rename',
    'messages.receipts',
    'roles.list',
    'roles.setDuty',
    'roles.plan',
    'roles.send',
    'roles.acknowledge',
    'roles.create',
    'roles.delete',
  ],
  attachments: [
    'attachments.choose',
    'attachments.stage',
    'attachments.discard',
    'attachments.send',
    'attachments.content',
    'attachments.save',
    'attachments.open',
    'attachments.retry',
    'attachments.cancel',
  ],
  clinical: [
    'transcription.draft',
    'transcription.render',
    'transcription.copy',
    'transcription.saveFhir',
    'transcription.confirm',
    'transcription.scope',
    'transcription.undo',
    'advice.untranscribed',
    'advice.markNoRecordNeeded',
    'audit.list',
    'audit.practice',
    'audit.rotatePatientKey',
    'export.conversation',
    'export.patient',
  ],
} as const;

export type MethodArea = keyof typeof methodsByArea;
export type MethodOfArea<A extends MethodArea> = (typeof methodsByArea)[A][number];

export const methodNames = [
  ...methodsByArea.shell,
  ...methodsByArea.messaging,
  ...methodsByArea.attachments,
  ...methodsByArea.clinical,
] as const;

export type MethodName = (typeof methodNames)[number];

export const eventNames = [
  'session.locked',
  'session.unlocked',
  'settings.changed',
  'connection.changed',
  'conversation.updated',
  'message.added',
  'message.status',
  'message.updated',
  'identity.changed',
  'devices.changed',
  'attachment.progress',
  'messages.deleted',
  'account.stopped',
] as const;

export type EventName = (typeof eventNames)[number];

const channelPrefix = 'pm:';
const eventChannelPrefix = 'pm:event:';

/** One channel per method, never a generic `invoke(channel)`: `pm:profiles.unlock`. */
export function methodChannel(method: MethodName): string {
  return `${channelPrefix}${method}`;
}

/** Main -> renderer pushes: `pm:event:message.added`. */
export function eventChannel(event: EventName): string {
  return `${eventChannelPrefix}${event}`;
}

export function isMethodName(value: unknown): value is MethodName {
  return typeof value === 'string' && (methodNames as readonly string[]).includes(value);
}

export function isEventName(value: unknown): value is EventName {
  return typeof value === 'string' && (eventNames as readonly string[]).includes(value);
}
