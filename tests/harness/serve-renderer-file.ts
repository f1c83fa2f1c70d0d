/** Serves one file of the built renderer, refusing any path that leaves its folder. */
import { createReadStream, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import path from 'node:path';

const contentTypes: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

export function serveRendererFile(rendererDir: string, file: string, res: ServerResponse): void {
  const base = path.resolve(rendererDir);
  const full = path.resolve(base, decodeURIComponent(file));
  const type = contentTypes[path.extname(full)];
  let isFile: boolean;
  try {
    isFile = statSync(full).isFile();
  } catch {
    isFile = false;
  }
  if (!full.startsWith(`${base}${path.sep}`) || !type || !isFile) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('Not found');
    return;
  }
  res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
  createReadStream(full).pipe(res);
}
