/**
 * The default session: no permission is ever granted (camera, microphone, notifications from the
 * page, clipboard reads, geolocation, USB, serial, HID, screen capture...), every response gets
 * our CSP, and no request leaves for the network: the renderer loads only the bundle on disk.
 * The relay connection is made by main, never by the page.
 */
import type { Session } from 'electron';
import { createLogger } from '../core/log/logger.js';
import { withContentSecurityPolicy } from './content-security-policy.js';

const log = createLogger('electron.session');

export function denyPermissionRequest(
  _contents: unknown,
  permission: string,
  callback: (granted: boolean) => void,
): void {
  log.warn('permission_denied', { permission });
  callback(false);
}

export function denyPermissionCheck(): boolean {
  return false;
}

export function denyDevicePermission(): boolean {
  return false;
}

/** Answering without a video stream refuses the screen-capture request. */
export function denyDisplayMedia(_request: unknown, callback: (streams: object) => void): void {
  log.warn('display_media_denied');
  callback({});
}

/** Only the files of the renderer bundle, and data: URLs for images such as QR codes. */
export function isAllowedRequestUrl(url: string, rendererDirUrl: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol === 'data:') return true;
  if (parsed.protocol === 'devtools:') return true;
  const base = new URL(rendererDirUrl.endsWith('/') ? rendererDirUrl : `${rendererDirUrl}/`);
  return (
    parsed.protocol === base.protocol &&
    base.host === parsed.host &&
    parsed.pathname.startsWith(base.pathname)
  );
}

export type GuardableSession = Pick<
  Session,
  | 'setPermissionRequestHandler'
  | 'setPermissionCheckHandler'
  | 'setDevicePermissionHandler'
  | 'setDisplayMediaRequestHandler'
  | 'webRequest'
>;

export function hardenSession(session: GuardableSession, rendererDirUrl: string): void {
  session.setPermissionRequestHandler(denyPermissionRequest);
  session.setPermissionCheckHandler(denyPermissionCheck);
  session.setDevicePermissionHandler(denyDevicePermission);
  session.setDisplayMediaRequestHandler(denyDisplayMedia);
  session.webRequest.onBeforeRequest((details, callback) => {
    const allowed = isAllowedRequestUrl(details.url, rendererDirUrl);
    if (!allowed) log.warn('request_blocked', { scheme: safeScheme(details.url) });
    callback({ cancel: !allowed });
  });
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withContentSecurityPolicy(details.responseHeaders) });
  });
}

function safeScheme(url: string): string {
  const colon = url.indexOf(':');
  return colon > 0 ? url.slice(0, colon) : 'invalid';
}
