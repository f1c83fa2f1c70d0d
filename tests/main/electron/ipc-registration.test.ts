import { describe, expect, it } from 'vitest';
import { methodChannel, methodNames } from '../../../shared/ipc/names.js';
import type { IpcDispatcher } from '../../../main/core/ipc/ipc-dispatcher.js';
import { isAppUrl, isTrustedSender } from '../../../main/core/ipc/trusted-sender.js';
import {
  registerIpcHandlers,
  senderFacts,
  type SenderEvent,
} from '../../../main/electron/register-ipc-handlers.js';

const appUrl = 'file:///app/out/renderer/index.html';
const rule = { appUrl, windowIds: new Set([7]) };

type Handler = (event: unknown, request: unknown) => Promise<unknown>;

function setUp() {
  const handlers = new Map<string, Handler>();
  const removed: string[] = [];
  const dispatched: Array<{ method: string; request: unknown }> = [];
  const dispatcher: IpcDispatcher = {
    dispatch: (method, request) => {
      dispatched.push({ method, request });
      return Promise.resolve({ ok: true, value: { method } });
    },
  };
  const ipcMain = {
    handle: (channel: string, handler: Handler) => void handlers.set(channel, handler),
    removeHandler: (channel: string) => void removed.push(channel),
  };
  const unregister = registerIpcHandlers(
    ipcMain as unknown as Parameters<typeof registerIpcHandlers>[0],
    dispatcher,
    (sender) => isTrustedSender(sender, rule),
  );
  return { handlers, removed, dispatched, unregister };
}

function event(frameUrl: string | null, options: { iframe?: boolean; windowId?: number } = {}) {
  const frame =
    frameUrl === null ? null : { url: frameUrl, parent: options.iframe ? { url: appUrl } : null };
  return { senderFrame: frame, sender: { id: options.windowId ?? 7 } } as unknown as SenderEvent;
}

describe('IPC handler registration', () => {
  it('registers one namespaced channel per contract method and nothing else', () => {
    const { handlers, removed, unregister } = setUp();
    expect([...handlers.keys()].sort()).toEqual(methodNames.map(methodChannel).sort());
    unregister();
    expect(removed.sort()).toEqual(methodNames.map(methodChannel).sort());
  });

  it('dispatches calls from our window main frame showing our page', async () => {
    const { handlers, dispatched } = setUp();
    const answer = await handlers.get('pm:profiles.list')?.(event(`${appUrl}#/unlock`), {});
    expect(answer).toEqual({ ok: true, value: { method: 'profiles.list' } });
    expect(dispatched).toEqual([{ method: 'profiles.list', request: {} }]);
  });

  const untrusted: Array<[string, SenderEvent]> = [
    ['an iframe', event(appUrl, { iframe: true })],
    ['a remote page', event('https://evil.example/')],
    ['another local file', event('file:///tmp/evil.html')],
    ['our page with a query', event(`${appUrl}?x=1`)],
    ['another window', event(appUrl, { windowId: 8 })],
    ['a destroyed frame', event(null)],
    ['a devtools page', event('devtools://devtools/bundled/inspector.html')],
  ];
  it.each(untrusted)('rejects %s with forbidden, without dispatching', async (_name, sender) => {
    const { handlers, dispatched } = setUp();
    const answer = await handlers.get('pm:profiles.unlock')?.(sender, {
      profileId: 'p',
      passcode: 'secret1',
    });
    expect(answer).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(dispatched).toEqual([]);
  });

  it('reads sender facts from the Electron event', () => {
    expect(senderFacts(event(appUrl))).toEqual({
      frameUrl: appUrl,
      isMainFrame: true,
      webContentsId: 7,
    });
    expect(senderFacts(event(null))).toEqual({
      frameUrl: null,
      isMainFrame: false,
      webContentsId: 7,
    });
  });

  it('compares app URLs by file path, ignoring only the hash', () => {
    expect(isAppUrl(appUrl, appUrl)).toBe(true);
    expect(isAppUrl('file:///app/out/renderer/x/../index.html', appUrl)).toBe(true);
    expect(isAppUrl('file://host/app/out/renderer/index.html', appUrl)).toBe(false);
    expect(isAppUrl('file:///app/out/renderer/index.htm', appUrl)).toBe(false);
    expect(isAppUrl('garbage', appUrl)).toBe(false);
  });
});
