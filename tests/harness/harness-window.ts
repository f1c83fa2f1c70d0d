/**
 * One harness "window": the app core composed exactly as the Electron shell composes it
 * (createAppCore with the real ProfileStore, keytar keychain and SQLCipher), bound to its own
 * profile root. The renderer pages
 * connected to the window receive its events; the clipboard is kept in memory so tests can read it.
 */
import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { createAppCore, type AppCore } from '../../main/core/app/app-core.js';
import { KeytarKeychain } from '../../main/core/keychain/keytar-keychain.js';
import type { LoadedPolicy } from '../../main/core/policy/load-policy.js';
import { ProfileStore } from '../../main/core/profile/profile-store.js';

export interface HarnessWindowOptions {
  /** URL path segment: /reception/ serves the renderer bound to this window. */
  name: string;
  /** Folder of this window's staff profiles (like the app's userData/profiles). */
  profileRoot: string;
  policy: LoadedPolicy;
  version: string;
}

export interface HarnessWindow {
  readonly name: string;
  readonly core: AppCore;
  readonly profiles: ProfileStore;
  /** The last text the renderer copied (clipboard.writeText). */
  clipboardText(): string | null;
  /** What the next open dialog answers, as if the user had picked it (once; then "cancel"). */
  chooseNextFile(file: string): void;
  /** Files handed to the "system viewer" (attachments.open): their names and sizes. */
  openedFiles(): Array<{ name: string; size: number }>;
  /** Receives every event the renderer would get over IPC. */
  attach(send: (channel: string, payload: unknown) => void): () => void;
  close(): Promise<void>;
}

export const windowNamePattern = /^[a-z][a-z0-9-]{0,31}$/;

export function createHarnessWindow(options: HarnessWindowOptions): HarnessWindow {
  if (!windowNamePattern.test(options.name)) {
    throw new Error(
      `Window name "${options.name}" must be lower-case letters, digits and hyphens (it becomes a URL path).`,
    );
  }
  const sinks = new Set<(channel: string, payload: unknown) => void>();
  let clipboard: string | null = null;
  let nextChosenFile: string | null = null;
  const opened: Array<{ name: string; size: number }> = [];
  const profiles = new ProfileStore({
    root: path.resolve(options.profileRoot),
    keychain: new KeytarKeychain(),
  });
  const filesDir = () => {
    const dir = path.resolve(options.profileRoot, '..', `${options.name}-files`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return dir;
  };
  const core = createAppCore({
    appInfo: {
      productName: 'Practice Messenger',
      version: options.version,
      platform: 'browser-harness',
    },
    policy: options.policy,
    profileStore: profiles,
    clipboard: {
      writeText: (text) => {
        clipboard = text;
      },
      readText: () => clipboard ?? '',
    },
    // No native dialogs in a browser: files land in a folder beside the profiles, as if the
    // user had picked it.
    pickPath: {
      saveFile: async ({ defaultName }) => path.join(filesDir(), defaultName),
      chooseFolder: async () => filesDir(),
      openFile: async () => {
        const chosen = nextChosenFile;
        nextChosenFile = null;
        return chosen;
      },
    },
    // No system viewer either: what would have been opened is recorded for the tests.
    viewer: {
      open: async (file) => {
        opened.push({ name: path.basename(file), size: statSync(file).size });
      },
    },
    sendEvent: (channel, payload) => {
      for (const sink of sinks) sink(channel, payload);
    },
  });
  return {
    name: options.name,
    core,
    profiles,
    clipboardText: () => clipboard,
    chooseNextFile: (file) => {
      nextChosenFile = file;
    },
    openedFiles: () => [...opened],
    attach(send) {
      sinks.add(send);
      return () => sinks.delete(send);
    },
    close: () => core.session.lock('user'),
  };
}
