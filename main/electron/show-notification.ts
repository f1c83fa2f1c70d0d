/**
 * Shows the text computed by core/notify (which decides what may be revealed) with Electron's
 * Notification; urgent messages stay until dismissed and are marked critical where supported.
 */
import { Notification } from 'electron';
import type { NotificationText } from '../core/notify/notification-text.js';

export function showNotification(text: NotificationText, onClick: () => void): void {
  if (!Notification.isSupported()) return;
  const notification = new Notification({
    title: text.title,
    body: text.body,
    silent: false,
    urgency: text.urgent ? 'critical' : 'normal',
    timeoutType: text.urgent ? 'never' : 'default',
  });
  notification.on('click', onClick);
  notification.show();
}
