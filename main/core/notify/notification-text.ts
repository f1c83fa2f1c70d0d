/**
 * What a desktop notification for a new message says. On a reception PC the screen is seen by
 * patients and colleagues, so the default ("new_message") names neither sender nor content, and
 * the managed policy can make every user's choice more private but never less.
 */
import { assertNever } from '../../../shared/errors.js';
import {
  effectiveNotificationPrivacy,
  type NotificationPrivacy,
} from '../../../shared/notification-privacy.js';

export const productName = 'Practice Messenger';
/** Long enough to recognise the message, short enough not to show a whole clinical note. */
export const maxNotificationTextLength = 120;

export interface IncomingMessageFacts {
  senderName: string;
  senderRole?: string;
  text: string;
  urgent: boolean;
  /** Sent to a duty role the user holds ("Duty doctor"): named even at the most private level. */
  roleName?: string;
  /**
   * Written in a group: its name. Shown only with the text, since a group's name may name a
   * patient ("Care of Mr B").
   */
  groupName?: string;
  /** A notice this device wrote (a member added, a file not fetched), not words from a person. */
  notice?: boolean;
}

export interface NotificationContext {
  /** The user's setting. */
  chosen: NotificationPrivacy;
  /** The managed policy's least private level allowed. */
  policyLeastPrivate: NotificationPrivacy;
  /** The user is looking at the app already: the UI shows the message itself. */
  windowFocused: boolean;
}

export interface NotificationText {
  title: string;
  body: string;
  /** Urgent messages stay on screen and are marked critical where the OS supports it. */
  urgent: boolean;
}

export function notificationText(
  message: IncomingMessageFacts,
  context: NotificationContext,
): NotificationText | null {
  if (context.windowFocused) return null;
  // A group's membership and name changes are notices in it, not something to interrupt for.
  if (message.groupName !== undefined && message.notice === true) return null;
  const level = effectiveNotificationPrivacy(context.chosen, context.policyLeastPrivate);
  const urgentPrefix = message.urgent ? 'URGENT: ' : '';
  // The role is the user's own duty, not the sender or the content: it says what needs them.
  const generic = message.roleName
    ? `${message.roleName}: new ${message.urgent ? 'urgent ' : ''}message`
    : message.urgent
      ? 'New urgent message'
      : 'New message';
  const sender = message.senderRole
    ? `${message.senderName} (${message.senderRole})`
    : message.senderName;
  switch (level) {
    case 'off':
      return null;
    case 'new_message':
      return { title: `${urgentPrefix}${productName}`, body: generic, urgent: message.urgent };
    case 'sender':
      return { title: `${urgentPrefix}${sender}`, body: generic, urgent: message.urgent };
    case 'sender_and_text':
      return {
        title: `${urgentPrefix}${sender}${message.groupName ? ` in ${message.groupName}` : ''}`,
        body: excerpt(message.text),
        urgent: message.urgent,
      };
    default:
      return assertNever(level, 'notification privacy level');
  }
}

function excerpt(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  if (oneLine.length <= maxNotificationTextLength) return oneLine;
  return `${oneLine.slice(0, maxNotificationTextLength - 1)}…`;
}
