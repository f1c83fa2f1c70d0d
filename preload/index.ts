/**
 * Runs in the sandboxed renderer before the page. Exposes exactly one object, `window.messenger`,
 * built from the contract's method and event names: one IPC channel per method, and event
 * subscriptions that hand the listener the payload only (never the IpcRendererEvent, which would
 * give the page `sender`). Bundled into one CommonJS file: a sandboxed preload cannot load modules.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { buildMessengerApi } from '../shared/ipc/messenger-api.js';

const messenger = buildMessengerApi({
  invoke: (channel, request) => ipcRenderer.invoke(channel, request),
  subscribe: (channel, listener) => {
    const forward = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(channel, forward);
    return () => {
      ipcRenderer.removeListener(channel, forward);
    };
  },
});

contextBridge.exposeInMainWorld('messenger', messenger);
