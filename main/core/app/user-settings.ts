/**
 * The user's own settings, stored in the encrypted profile and bounded by the managed policy:
 * users may make notifications more private and the lock sooner, never the other way. A stored
 * value that a newer, stricter policy no longer allows is read back clamped.
 */
import { z } from 'zod';
import { MessengerError } from '../../../shared/errors.js';
import {
  defaultNotificationPrivacy,
  effectiveNotificationPrivacy,
  isAllowedNotificationPrivacy,
} from '../../../shared/notification-privacy.js';
import { notificationPrivacySchema, type Settings } from '../../../shared/ipc/view-schemas.js';
import type { Policy } from '../policy/policy-schema.js';
import type { SettingsStore } from './profile-gateway.js';

const keys = {
  notificationPrivacy: 'ui.notificationPrivacy',
  lockTimeoutMinutes: 'ui.lockTimeoutMinutes',
} as const;

const minutesSchema = z.number().int().min(1).max(60);

export function readSettings(store: SettingsStore, policy: Policy): Settings {
  const privacy =
    store.get(keys.notificationPrivacy, notificationPrivacySchema) ?? defaultNotificationPrivacy;
  const minutes = store.get(keys.lockTimeoutMinutes, minutesSchema) ?? policy.lockTimeoutMinutes;
  return {
    notificationPrivacy: effectiveNotificationPrivacy(privacy, policy.notificationPrivacy),
    lockTimeoutMinutes: Math.min(minutes, policy.lockTimeoutMinutes),
  };
}

export function changeSettings(
  store: SettingsStore,
  change: Partial<Settings>,
  policy: Policy,
  now: number,
): Settings {
  if (
    change.notificationPrivacy !== undefined &&
    !isAllowedNotificationPrivacy(change.notificationPrivacy, policy.notificationPrivacy)
  ) {
    throw new MessengerError(
      'policy_restricted',
      `Your practice's policy does not allow notifications to show more than "${policy.notificationPrivacy}".`,
    );
  }
  if (
    change.lockTimeoutMinutes !== undefined &&
    change.lockTimeoutMinutes > policy.lockTimeoutMinutes
  ) {
    throw new MessengerError(
      'policy_restricted',
      `Your practice's policy locks the app after at most ${policy.lockTimeoutMinutes} minutes.`,
    );
  }
  if (change.notificationPrivacy !== undefined) {
    store.set(keys.notificationPrivacy, change.notificationPrivacy, now);
  }
  if (change.lockTimeoutMinutes !== undefined) {
    store.set(keys.lockTimeoutMinutes, change.lockTimeoutMinutes, now);
  }
  return readSettings(store, policy);
}
