/**
 * Every webContents (our window, and any a compromised renderer might manage to create) may not
 * navigate, redirect, open windows or attach <webview>s. The page is a single-page app loaded
 * once from disk: any navigation at all is an attack or a bug.
 */
import type { WebContents } from 'electron';
import { createLogger } from '../core/log/logger.js';

const log = createLogger('electron.guards');

export interface PreventableEvent {
  preventDefault(): void;
}

export function denyNavigation(event: PreventableEvent): void {
  event.preventDefault();
  log.warn('navigation_denied');
}

export function denyWindowOpen(): { action: 'deny' } {
  log.warn('window_open_denied');
  return { action: 'deny' };
}

export function denyWebviewAttach(event: PreventableEvent): void {
  event.preventDefault();
  log.warn('webview_denied');
}

export type GuardableContents = Pick<WebContents, 'on' | 'setWindowOpenHandler'>;

export function hardenWebContents(contents: GuardableContents): void {
  contents.on('will-navigate', denyNavigation);
  contents.on('will-frame-navigate', denyNavigation);
  contents.on('will-redirect', denyNavigation);
  contents.on('will-attach-webview', denyWebviewAttach);
  contents.setWindowOpenHandler(denyWindowOpen);
}
