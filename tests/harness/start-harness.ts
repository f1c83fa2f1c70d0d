/**
 * The browser harness (development and tests only, never shipped): serves the built renderer
 * (out/renderer) on loopback and provides `window.messenger` to each page over a WebSocket to a
 * harness window running the same app core as the Electron shell. Several windows (/reception/,
 * /gp/ ...) share one relay, like several PCs in one practice.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { build } from 'esbuild';
import { roles, type Role } from '../../shared/protocol/limits.js';
import type { HarnessClientFrame, HarnessServerFrame } from './harness-frames.js';
import type { HarnessWindow } from './harness-window.js';
import type { RestartableRelay } from './restartable-relay.js';
import { serveRendererFile } from './serve-renderer-file.js';

export interface HarnessOptions {
  /** The built renderer (electron-vite's out/renderer). */
  rendererDir: string;
  windows: readonly HarnessWindow[];
  relay: RestartableRelay;
  port?: number;
}

export interface RunningHarness {
  /** http://127.0.0.1:<port> */
  url: string;
  /** Sent as `x-harness-token` to the test-only endpoints under /__harness/. */
  token: string;
  windowUrl(name: string): string;
  close(): Promise<void>;
}

const root = path.resolve(import.meta.dirname, '../..');
const maxFrameBytes = 1024 * 1024;

export async function bundleBridge(): Promise<string> {
  const result = await build({
    entryPoints: [path.join(root, 'tests/harness/harness-bridge.ts')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]?.text ?? '';
}

export async function startHarness(options: HarnessOptions): Promise<RunningHarness> {
  const bridge = await bundleBridge();
  const token = randomBytes(16).toString('hex');
  const windows = new Map(options.windows.map((w) => [w.name, w]));
  const indexHtml = readFileSync(path.join(options.rendererDir, 'index.html'), 'utf8');
  let origin = '';

  const server = createServer((req, res) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('Harness error');
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', origin);
    if (url.pathname.startsWith('/__harness/')) return handleTestEndpoint(url, req, res);
    const [first, ...rest] = url.pathname.split('/').filter(Boolean);
    if (first === undefined) return sendIndex(res);
    const window = windows.get(first);
    if (!window) return sendText(res, 404, `No harness window "${first}".`);
    if (rest.length === 0 && !url.pathname.endsWith('/')) {
      res.writeHead(302, { location: `/${first}/` });
      res.end();
      return;
    }
    const file = rest.join('/');
    if (file === '' || file === 'index.html') {
      return sendBody(res, 200, 'text/html; charset=utf-8', harnessIndex(indexHtml, origin));
    }
    if (file === 'harness-bridge.js') {
      return sendBody(res, 200, 'text/javascript; charset=utf-8', bridge);
    }
    serveRendererFile(options.rendererDir, file, res);
  }

  async function handleTestEndpoint(
    url: URL,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    if (req.headers['x-harness-token'] !== token) {
      return sendJson(res, 403, { error: 'Send the harness token as x-harness-token.' });
    }
    if (url.pathname === '/__harness/enrolment-code' && req.method === 'POST') {
      const body = JSON.parse(await readBody(req)) as {
        displayName?: unknown;
        role?: unknown;
        accountId?: unknown;
      };
      // With accountId: a code for one more device of that account (a GP's replacement PC).
      if (typeof body.accountId === 'string') {
        const issued = await options.relay.enrol({ accountId: body.accountId });
        return sendJson(res, 200, { code: issued.code, accountId: issued.accountId });
      }
      if (typeof body.displayName !== 'string' || !roles.includes(body.role as Role)) {
        return sendJson(res, 400, {
          error: `Give accountId, or displayName (a string) and role (one of ${roles.join(', ')}).`,
        });
      }
      const issued = await options.relay.enrol({
        displayName: body.displayName,
        role: body.role as Role,
      });
      return sendJson(res, 200, { code: issued.code, accountId: issued.accountId });
    }
    if (url.pathname === '/__harness/revoke' && req.method === 'POST') {
      const body = JSON.parse(await readBody(req)) as {
        accountId?: unknown;
        wipe?: unknown;
        deviceId?: unknown;
      };
      if (typeof body.accountId !== 'string' || typeof body.wipe !== 'boolean') {
        return sendJson(res, 400, {
          error: 'Give accountId (a string), wipe (a boolean) and optionally deviceId.',
        });
      }
      const revoked = await options.relay.revoke(body.accountId, {
        wipe: body.wipe,
        ...(typeof body.deviceId === 'number' ? { deviceId: body.deviceId } : {}),
      });
      return sendJson(res, 200, { revoked: revoked.length });
    }
    // A relay outage: the windows see their sockets close and their sends fail until it is back.
    const relayChange = /^\/__harness\/relay\/(stop|start)$/.exec(url.pathname);
    if (relayChange && req.method === 'POST') {
      if (relayChange[1] === 'stop') await options.relay.stop();
      else await options.relay.start();
      return sendJson(res, 200, { running: options.relay.running, url: options.relay.url });
    }
    const clipboard = /^\/__harness\/clipboard\/([a-z0-9-]+)$/.exec(url.pathname);
    if (clipboard && req.method === 'GET') {
      const window = windows.get(clipboard[1] ?? '');
      if (!window) return sendJson(res, 404, { error: 'No such window.' });
      return sendJson(res, 200, { text: window.clipboardText() });
    }
    const stored = /^\/__harness\/stored\/([a-z0-9-]+)$/.exec(url.pathname);
    if (stored && req.method === 'POST') {
      const window = windows.get(stored[1] ?? '');
      if (!window) return sendJson(res, 404, { error: 'No such window.' });
      const body = JSON.parse(await readBody(req)) as { messageIds?: unknown };
      const ids = Array.isArray(body.messageIds) ? body.messageIds.map(String) : [];
      const answer = storedInProfile(window, ids);
      if (!answer) return sendJson(res, 409, { error: 'Unlock a profile in that window first.' });
      return sendJson(res, 200, answer);
    }
    return sendJson(res, 404, { error: 'Unknown harness endpoint.' });
  }

  function sendIndex(res: ServerResponse): void {
    const links = [...windows.keys()]
      .map((name) => `<li><a href="/${name}/">${name}</a></li>`)
      .join('');
    sendBody(
      res,
      200,
      'text/html; charset=utf-8',
      `<!doctype html><html lang="en-GB"><title>Practice Messenger harness</title><h1>Practice Messenger harness</h1><ul>${links}</ul></html>`,
    );
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: maxFrameBytes });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', origin);
    const match = /^\/([a-z0-9-]+)\/ws$/.exec(url.pathname);
    const window = match ? windows.get(match[1] ?? '') : undefined;
    // Like the shell's sender check: only pages this harness served may call the core.
    if (!window || req.headers.origin !== origin) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => connect(window, ws));
  });

  function connect(window: HarnessWindow, ws: WebSocket): void {
    const send = (frame: HarnessServerFrame) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
    };
    const detach = window.attach((channel, payload) => send({ type: 'event', channel, payload }));
    ws.on('close', detach);
    ws.on('message', (data) => {
      let frame: HarnessClientFrame;
      try {
        frame = JSON.parse(String(data)) as HarnessClientFrame;
      } catch {
        ws.close(1003, 'Frames are JSON');
        return;
      }
      if (frame.type !== 'invoke' || typeof frame.id !== 'number') return;
      const method = typeof frame.channel === 'string' ? frame.channel.replace(/^pm:/, '') : '';
      void window.core.dispatcher
        .dispatch(method, frame.request)
        .then((result) => send({ type: 'result', id: frame.id, result }));
    });
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
  return {
    url: origin,
    token,
    windowUrl: (name) => `${origin}/${name}/`,
    async close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      for (const window of options.windows) await window.close();
    },
  };
}

/**
 * The built index.html as the harness serves it: the bridge script before the app bundle (same
 * origin, so `script-src 'self'` allows it), and `connect-src` opened to this harness's
 * WebSocket only, where the shipped page allows no connections at all (it uses IPC).
 */
export function harnessIndex(html: string, origin: string): string {
  const wsOrigin = origin.replace(/^http/, 'ws');
  const withCsp = html.replace("connect-src 'none'", `connect-src ${wsOrigin}`);
  if (withCsp === html) throw new Error("The renderer's CSP no longer has connect-src 'none'.");
  return withCsp.replace('<head>', '<head>\n    <script src="./harness-bridge.js"></script>');
}

/**
 * What the window's open profile database holds for these message ids, and its audit events
 * (action and message ids only), read straight from the repositories: the e2e tests check that
 * transcribed originals are gone from every participant's profile, not just from the screen,
 * and that the audit entry stays.
 */
function storedInProfile(window: HarnessWindow, messageIds: readonly string[]) {
  const repositories = window.core.session.current()?.profile?.repositories;
  if (!repositories) return null;
  return {
    present: messageIds.filter((id) => repositories.messages.get(id) !== null),
    tombstoned: messageIds.filter((id) => repositories.messages.wasDeleted(id)),
    audit: repositories.audit
      .list({ limit: 200 })
      .map((record) => ({ action: record.action, messageIds: [...record.messageIds] })),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      text += chunk;
      if (text.length > 10_000) req.destroy(new Error('Body too large'));
    });
    req.on('end', () => resolve(text || '{}'));
    req.on('error', reject);
  });
}

function sendBody(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  sendBody(res, status, 'text/plain; charset=utf-8', text);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  sendBody(res, status, 'application/json', JSON.stringify(value));
}
