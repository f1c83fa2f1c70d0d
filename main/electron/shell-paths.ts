/**
 * Where the built pieces sit relative to the bundled main script (out/main/index.js, inside the
 * asar when packaged). The renderer is always loaded from these files, never from a server.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export interface ShellPaths {
  preload: string;
  rendererIndex: string;
  /** `file:` URL of the renderer folder, with a trailing slash: requests must stay inside it. */
  rendererDirUrl: string;
  /** `file:` URL of index.html: the only page allowed to call IPC. */
  appUrl: string;
}

export function shellPaths(mainDir: string): ShellPaths {
  const preload = path.join(mainDir, '..', 'preload', 'index.cjs');
  const rendererDir = path.join(mainDir, '..', 'renderer');
  const rendererIndex = path.join(rendererDir, 'index.html');
  return {
    preload,
    rendererIndex,
    rendererDirUrl: `${pathToFileURL(rendererDir).href}/`,
    appUrl: pathToFileURL(rendererIndex).href,
  };
}
