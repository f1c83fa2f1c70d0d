import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import {
  clientFrameSchema,
  closeCodes,
  protocolLimits,
  relayErrorStatus,
} from '../../shared/protocol/index.js';
import { authenticate, bearerToken } from '../authenticate.js';
import { errorBody, RelayError } from '../http/relay-error.js';
import type { RateLimiter } from '../rate-limiter.js';
import type { RelayServices } from '../relay-services.js';
import type { DeviceRecord } from '../storage/relay-storage.js';

export interface UpgradeGuards {
  wss: WebSocketServer;
  anonymousLimiter: RateLimiter;
  state: { closing: boolean };
}

/**
 * GET /v1/websocket. With an Authorization header the token is checked before the upgrade and a
 * failure is an ordinary HTTP error response; without one, the first frame must be `auth`.
 */
export async function handleUpgrade(
  services: RelayServices,
  guards: UpgradeGuards,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
): Promise<void> {
  socket.on('error', () => undefined);
  const pathname = new URL(req.url ?? '/', 'http://relay').pathname;
  try {
    if (guards.state.closing) throw new RelayError('shutting_down', 'The relay is shutting down.');
    if (pathname !== '/v1/websocket') {
      throw new RelayError('not_found', `No WebSocket endpoint at ${pathname}.`);
    }
    const header = req.headers.authorization;
    let device: DeviceRecord | null = null;
    if (header !== undefined) {
      try {
        device = await authenticate(services.storage, bearerToken(header), Date.now());
      } catch (error) {
        if (error instanceof RelayError && error.code === 'unauthorized') {
          const address = req.socket.remoteAddress ?? 'unknown';
          if (guards.anonymousLimiter.take(`auth:${address}`) > 0) {
            throw new RelayError('rate_limited', 'Too many failed authentications.');
          }
        }
        throw error;
      }
    }
    guards.wss.handleUpgrade(req, socket, head, (ws) => {
      if (device) void accept(services, ws, device);
      else awaitAuthFrame(services, ws);
    });
  } catch (caught) {
    const error =
      caught instanceof RelayError ? caught : new RelayError('internal', 'Upgrade failed.');
    const text = JSON.stringify(errorBody(error));
    const status = relayErrorStatus[error.code];
    socket.end(
      `HTTP/1.1 ${status} ${error.code}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
    );
  }
}

function awaitAuthFrame(services: RelayServices, ws: WebSocket): void {
  const timer = setTimeout(() => {
    ws.send(
      JSON.stringify({ type: 'error', code: 'unauthorized', message: 'No auth frame in time.' }),
    );
    ws.close(closeCodes.unauthorized, 'no auth frame');
  }, protocolLimits.authFrameTimeoutSeconds * 1000);
  ws.once('message', (data, isBinary) => {
    clearTimeout(timer);
    void (async () => {
      const parsed = isBinary ? null : safeJson(data.toString());
      const frame = clientFrameSchema.safeParse(parsed);
      if (!frame.success || frame.data.type !== 'auth') {
        ws.send(
          JSON.stringify({
            type: 'error',
            code: 'unauthorized',
            message: 'The first frame must be auth.',
          }),
        );
        ws.close(closeCodes.unauthorized, 'expected auth frame');
        return;
      }
      try {
        const device = await authenticate(services.storage, frame.data.token, Date.now());
        await accept(services, ws, device);
      } catch (caught) {
        const error =
          caught instanceof RelayError
            ? caught
            : new RelayError('internal', 'Authentication failed.');
        if (error.code === 'remote_wipe') {
          ws.send(JSON.stringify({ type: 'wipe' }));
          ws.close(closeCodes.wipe, 'remote wipe');
          return;
        }
        ws.send(JSON.stringify({ type: 'error', code: error.code, message: error.message }));
        ws.close(
          error.code === 'device_revoked' ? closeCodes.revoked : closeCodes.unauthorized,
          error.code,
        );
      }
    })();
  });
}

async function accept(services: RelayServices, ws: WebSocket, device: DeviceRecord): Promise<void> {
  const connection = services.hub.attach(device, ws);
  ws.on('pong', () => {
    connection.alive = true;
  });
  ws.on('error', () => undefined);
  ws.on('message', (data, isBinary) => {
    connection.alive = true;
    void connection.onMessage(data as Buffer, isBinary).catch((error: unknown) => {
      services.logger.error('ws_frame_failed', {
        deviceId: device.deviceId,
        reason: String(error),
      });
    });
  });
  ws.on('close', (code) => {
    services.logger.info('ws_closed', {
      accountId: device.accountId,
      deviceId: device.deviceId,
      code,
    });
  });
  services.logger.info('ws_open', { accountId: device.accountId, deviceId: device.deviceId });
  connection.send({ type: 'ready', accountId: device.accountId, deviceId: device.deviceId });
  await services.storage.touchDevice(device.devicePk, Date.now());
  await connection.pump();
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
