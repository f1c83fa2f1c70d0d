/**
 * How much a desktop notification may reveal, from most private to least. NHS guidance: by
 * default show neither sender nor content, hence `new_message` is the default for users.
 */
export const notificationPrivacyLevels = [
  'off',
  'new_message',
  'sender',
  'sender_and_text',
] as const;

export type NotificationPrivacy = (typeof notificationPrivacyLevels)[number];

export const defaultNotificationPrivacy: NotificationPrivacy = 'new_message';

// Index 0 is the most private: a larger index reveals more.
function revealRank(level: NotificationPrivacy): number {
  return notificationPrivacyLevels.indexOf(level);
}

/** True when `level` reveals no more than `leastPrivateAllowed` (the policy's floor). */
export function isAllowedNotificationPrivacy(
  level: NotificationPrivacy,
  leastPrivateAllowed: NotificationPrivacy,
): boolean {
  return revealRank(level) <= revealRank(leastPrivateAllowed);
}

/** The user's choice, made at least as private as the policy requires. */
export function effectiveNotificationPrivacy(
  chosen: NotificationPrivacy,
  leastPrivateAllowed: NotificationPrivacy,
): NotificationPrivacy {
  return isAllowedNotificationPrivacy(chosen, leastPrivateAllowed) ? chosen : leastPrivateAllowed;
}
