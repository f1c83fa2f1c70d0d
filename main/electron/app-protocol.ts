/**
 * The renderer is served from `app://bundle/`, a custom privileged scheme, instead of `file://`
 * (the Electron security checklist: under file:// the page shares an origin with every file on
 * the disk, and any file it can name it can try to load). The handler serves only the files of
 * the renderer folder and refuses anything that would leave it.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { contentSecurityPolicy } from './content-security-policy.js';

export const appScheme = 'app';
export const appHost = 'bundle';
export const appOrigin = `${appScheme}://${appHost}`;

/**
 * For protocol.registerSchemesAsPrivileged, before the app is ready. `standard` gives the scheme
 * a real origin (so the CSP's 'self' and relative URLs work) and `secure` makes it a secure
 * context like https. Nothing else: no fetch or CORS from the page, no service workers, and the
 * CSP is never bypassed.
 */
export const appSchemePrivileges = {
  scheme: appScheme,
  privileges: {
    standard: true,
    secure: true,
    supportFetchAPI: false,
    corsEnabled: false,
    bypassCSP: false,
    allowServiceWorkers: false,
    stream: false,
    codeCache: false,
  },
} as const;

const contentTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
};

/**
 * The file inside `rendererDir` that an app:// URL names, or null when the URL is not ours or
 * would leave the folder: another host, an encoded separator or dot segment, a NUL, a backslash
 * (a separator on Windows), or any path that resolves outside.
 */
export function resolveAppRequest(url: string, rendererDir: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== `${appScheme}:` || parsed.host !== appHost) return null;
  if (parsed.username !== '' || parsed.password !== '') return null;
  // The URL parser has removed literal dot segments already; look at what decoding would add.
  if (/%(2e|2f|5c|00)/i.test(parsed.pathname)) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(parsed.pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  if (decoded.split('/').some((segment) => segment === '..' || segment === '.')) return null;
  const relative = decoded === '/' ? 'index.html' : decoded.slice(1);
  const root = path.resolve(rendererDir);
  const file = path.resolve(root, relative);
  if (!file.startsWith(root + path.sep)) return null;
  return file;
}

/** Answers one app:// request: the file with its type and our CSP, or 403 / 404 / 405. */
export async function handleAppRequest(
  request: { url: string; method: string },
  rendererDir: string,
  read: (file: string) => Promise<Uint8Array> = readFile,
): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD')
    return plain(405, 'Method not allowed');
  const file = resolveAppRequest(request.url, rendererDir);
  if (file === null) return plain(403, 'Forbidden');
  let body: Uint8Array;
  try {
    body = await read(file);
  } catch {
    return plain(404, 'Not found');
  }
  return new Response(request.method === 'HEAD' ? null : (body as Uint8Array<ArrayBuffer>), {
    status: 200,
    headers: {
      'Content-Type': contentTypes[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
      'Content-Security-Policy': contentSecurityPolicy,
      'X-Content-Type-Options': 'nosniff',
    },
  });
}

function plain(status: number, text: string): Response {
  return new Response(text, {
    status,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' },
  });
}
