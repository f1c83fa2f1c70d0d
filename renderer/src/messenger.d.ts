// `window.messenger`, exposed by the preload: the renderer's only way to reach main.
import type { MessengerApi } from '../../shared/ipc/messenger-api.js';

declare global {
  interface Window {
    readonly messenger: MessengerApi;
  }
}

export {};
