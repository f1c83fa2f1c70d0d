/**
 * Runs in the page before the renderer bundle (served by the harness, never shipped): provides
 * `window.messenger` over a loopback WebSocket, built by the same buildMessengerApi the preload
 * uses, so the renderer cannot tell the harness from Electron. Typed with its own small view of
 * the browser globals because the node-side tsconfig that checks tests/ has no DOM types.
 */
import { buildMessengerApi, type Unsubscribe } from '../../shared/ipc/messenger-api.js';
import type { HarnessClientFrame, HarnessServerFrame } from './harness-frames.js';

interface SocketLike {
  readyState: number;
  send(data: string): void;
  addEventListener(type: 'open' | 'close', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

interface BrowserGlobals {
  location: { protocol: string; host: string; pathname: string };
  WebSocket: new (url: string) => SocketLike;
  messenger?: unknown;
}

const page = globalThis as unknown as BrowserGlobals;
const windowName = page.location.pathname.split('/').filter(Boolean)[0] ?? '';
const socket = new page.WebSocket(`ws://${page.location.host}/${windowName}/ws`);
const openState = 1;

let nextId = 1;
const pending = new Map<number, (result: unknown) => void>();
const listeners = new Map<string, Set<(payload: unknown) => void>>();
const queued: string[] = [];

function send(frame: HarnessClientFrame): void {
  const text = JSON.stringify(frame);
  if (socket.readyState === openState) socket.send(text);
  else queued.push(text);
}

socket.addEventListener('open', () => {
  for (const text of queued.splice(0)) socket.send(text);
});
socket.addEventListener('message', (event) => {
  const frame = JSON.parse(String(event.data)) as HarnessServerFrame;
  if (frame.type === 'result') {
    pending.get(frame.id)?.(frame.result);
    pending.delete(frame.id);
  } else {
    for (const listener of listeners.get(frame.channel) ?? []) listener(frame.payload);
  }
});
socket.addEventListener('close', () => {
  // The harness went away: answer every open call the way a dead IPC channel would.
  for (const resolve of pending.values()) {
    resolve({ ok: false, error: { code: 'network', message: 'The test harness has stopped.' } });
  }
  pending.clear();
});

page.messenger = buildMessengerApi({
  invoke: (channel, request) =>
    new Promise((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      send({ type: 'invoke', id, channel, request });
    }),
  subscribe: (channel, listener): Unsubscribe => {
    const set = listeners.get(channel) ?? new Set();
    listeners.set(channel, set);
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  },
});
