/**
 * Where the built pieces sit relative to the bundled main script (out/main/index.js, inside the
 * asar when packaged). The renderer is always loaded from these files, never from a server, and
 * through the app:// scheme (app-protocol.ts), never as file:// URLs.
 */
import path from 'node:path';
import { appOrigin } from './app-protocol.js';

export interface ShellPaths {
  preload: string;
  /** The folder app:// serves, and nothing outside it. */
  rendererDir: string;
  rendererIndex: string;
  /** URL of the renderer folder, with a trailing slash: requests must stay inside it. */
  rendererDirUrl: string;
  /** URL of index.html: the page the window loads and the only one allowed to call IPC. */
  appUrl: string;
}

export function shellPaths(mainDir: string): ShellPaths {
  const preload = path.join(mainDir, '..', 'preload', 'index.cjs');
  const rendererDir = path.join(mainDir, '..', 'renderer');
  const rendererIndex = path.join(rendererDir, 'index.html');
  return {
    preload,
    rendererDir,
    rendererIndex,
    rendererDirUrl: `${appOrigin}/`,
    appUrl: `${appOrigin}/index.html`,
  };
}
