import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  contentSecurityPolicy,
  cspDirectives,
  metaContentSecurityPolicy,
  withContentSecurityPolicy,
} from '../../../main/electron/content-security-policy.js';
import { secureWindowOptions } from '../../../main/electron/secure-window-options.js';
import {
  hardenSession,
  isAllowedRequestUrl,
  type GuardableSession,
} from '../../../main/electron/session-guards.js';
import { shellPaths } from '../../../main/electron/shell-paths.js';
import {
  hardenWebContents,
  type GuardableContents,
} from '../../../main/electron/web-contents-guards.js';

const root = path.resolve(import.meta.dirname, '../../..');

describe('the window options', () => {
  const options = secureWindowOptions('/app/out/preload/index.cjs', { devTools: false });
  const web = options.webPreferences ?? {};

  it('isolate and sandbox the renderer with no Node', () => {
    expect(web.contextIsolation).toBe(true);
    expect(web.sandbox).toBe(true);
    expect(web.nodeIntegration).toBe(false);
    expect(web.nodeIntegrationInWorker).toBe(false);
    expect(web.nodeIntegrationInSubFrames).toBe(false);
    expect(web.preload).toBe('/app/out/preload/index.cjs');
  });

  it('keep web security on and risky features off', () => {
    expect(web.webSecurity).toBe(true);
    expect(web.allowRunningInsecureContent).toBe(false);
    expect(web.experimentalFeatures).toBe(false);
    expect(web.webviewTag).toBe(false);
    expect(web.navigateOnDragDrop).toBe(false);
    expect(web.spellcheck).toBe(false);
    expect(web.devTools).toBe(false);
    expect('enableBlinkFeatures' in web).toBe(false);
  });

  it('disable the Auxclick Blink feature (middle-click handlers)', () => {
    expect(web.disableBlinkFeatures).toBe('Auxclick');
  });
});

describe('the Content Security Policy', () => {
  it('denies everything by default and allows only the bundle', () => {
    expect(contentSecurityPolicy).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self'; connect-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-src 'none'; worker-src 'none'; frame-ancestors 'none'",
    );
    for (const value of Object.values(cspDirectives)) {
      expect(value).not.toMatch(/unsafe-inline|unsafe-eval|\*|https?:/);
    }
    // blob: is for decrypted attachment images only: never code, frames or workers.
    for (const [name, value] of Object.entries(cspDirectives)) {
      if (name !== 'img-src') expect(value, name).not.toMatch(/blob:|data:/);
    }
  });

  it('is the one renderer/index.html carries in its meta tag', () => {
    const html = readFileSync(path.join(root, 'renderer/index.html'), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html);
    expect(meta?.[1]).toBe(metaContentSecurityPolicy);
  });

  it('replaces any CSP header a response brings, whatever its case', () => {
    const headers = withContentSecurityPolicy({
      'content-security-policy': ['default-src *'],
      'Content-Type': ['text/html'],
    });
    expect(headers).toEqual({
      'Content-Type': ['text/html'],
      'Content-Security-Policy': [contentSecurityPolicy],
    });
  });
});

type Listener = (...args: unknown[]) => unknown;

function fakeContents() {
  const listeners = new Map<string, Listener>();
  let openHandler: Listener | null = null;
  const contents = {
    on(event: string, listener: Listener) {
      listeners.set(event, listener);
      return contents;
    },
    setWindowOpenHandler(handler: Listener) {
      openHandler = handler;
    },
  };
  hardenWebContents(contents as unknown as GuardableContents);
  const fire = (event: string) => {
    let prevented = false;
    listeners.get(event)?.({ preventDefault: () => (prevented = true) }, 'https://evil.example');
    return prevented;
  };
  return { listeners, fire, openHandler: () => openHandler };
}

describe('every webContents', () => {
  it('may not navigate, redirect or attach a webview', () => {
    const fake = fakeContents();
    for (const event of [
      'will-navigate',
      'will-frame-navigate',
      'will-redirect',
      'will-attach-webview',
    ]) {
      expect(fake.listeners.has(event), event).toBe(true);
      expect(fake.fire(event), event).toBe(true);
    }
  });

  it('may not open windows', () => {
    const handler = fakeContents().openHandler();
    expect(handler?.({ url: 'https://evil.example' })).toEqual({ action: 'deny' });
    expect(handler?.({ url: 'file:///app/out/renderer/index.html' })).toEqual({ action: 'deny' });
  });
});

const rendererDirUrl = 'app://bundle/';

function fakeSession() {
  const handlers: Record<string, Listener | null> = {};
  const session = {
    setPermissionRequestHandler: (h: Listener) => (handlers['request'] = h),
    setPermissionCheckHandler: (h: Listener) => (handlers['check'] = h),
    setDevicePermissionHandler: (h: Listener) => (handlers['device'] = h),
    setDisplayMediaRequestHandler: (h: Listener) => (handlers['displayMedia'] = h),
    webRequest: {
      onBeforeRequest: (h: Listener) => (handlers['beforeRequest'] = h),
      onHeadersReceived: (h: Listener) => (handlers['headers'] = h),
    },
  };
  hardenSession(session as unknown as GuardableSession, rendererDirUrl);
  return handlers;
}

describe('the session', () => {
  const permissions = [
    'media',
    'geolocation',
    'notifications',
    'clipboard-read',
    'clipboard-sanitized-write',
    'display-capture',
    'openExternal',
    'fullscreen',
    'midiSysex',
    'unknown',
  ];

  it('denies every permission request', () => {
    const handlers = fakeSession();
    for (const permission of permissions) {
      let granted: boolean | undefined;
      handlers['request']?.({}, permission, (g: boolean) => (granted = g), {});
      expect(granted, permission).toBe(false);
    }
  });

  it('denies every permission check, device and screen-capture request', () => {
    const handlers = fakeSession();
    for (const permission of [...permissions, 'hid', 'serial', 'usb']) {
      expect(handlers['check']?.(null, permission, 'file://', {}), permission).toBe(false);
    }
    expect(handlers['device']?.({ deviceType: 'usb' })).toBe(false);
    let streams: unknown;
    handlers['displayMedia']?.({}, (s: unknown) => (streams = s));
    expect(streams).toEqual({});
  });

  it('loads nothing but the renderer bundle: no remote content', () => {
    const handlers = fakeSession();
    const decide = (url: string) => {
      let cancel: boolean | undefined;
      handlers['beforeRequest']?.({ url }, (r: { cancel: boolean }) => (cancel = r.cancel));
      return cancel;
    };
    expect(decide('app://bundle/index.html')).toBe(false);
    expect(decide('app://bundle/assets/index-abc.js')).toBe(false);
    expect(decide('data:image/png;base64,AAAA')).toBe(false);
    expect(decide('https://evil.example/x.js')).toBe(true);
    expect(decide('http://127.0.0.1:5173/')).toBe(true);
    expect(decide('wss://relay.example/')).toBe(true);
    // The bundle is no longer loaded as files: file:// is refused outright.
    expect(decide('file:///app/out/renderer/index.html')).toBe(true);
    expect(decide('file:///etc/passwd')).toBe(true);
    expect(decide('app://other/index.html')).toBe(true);
    expect(decide('not a url')).toBe(true);
  });

  it('sets the CSP on every response', () => {
    const handlers = fakeSession();
    let headers: unknown;
    handlers['headers']?.(
      { responseHeaders: {} },
      (r: { responseHeaders: unknown }) => (headers = r.responseHeaders),
    );
    expect(headers).toEqual({ 'Content-Security-Policy': [contentSecurityPolicy] });
  });

  it('decides request URLs without a session too', () => {
    expect(isAllowedRequestUrl('app://bundle/index.html', 'app://bundle')).toBe(true);
  });
});

describe('the shell paths', () => {
  it('load the preload and the page from the bundle beside main', () => {
    const paths = shellPaths('/opt/Practice Messenger/resources/app.asar/out/main');
    expect(paths.preload).toBe('/opt/Practice Messenger/resources/app.asar/out/preload/index.cjs');
    expect(paths.rendererIndex).toBe(
      '/opt/Practice Messenger/resources/app.asar/out/renderer/index.html',
    );
    expect(paths.rendererDir).toBe('/opt/Practice Messenger/resources/app.asar/out/renderer');
    expect(paths.appUrl).toBe('app://bundle/index.html');
    expect(paths.rendererDirUrl).toBe('app://bundle/');
  });
});
