import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import {
  clientFrameSchema,
  closeCodes,
  protocolLimits,
  relayErrorStatus,
  webSocketPath,
} from '../../shared/protocol/index.js';
import { bearerToken } from '../authenticate.js';
import { errorBody } from '../http/json-response.js';
import { RelayError, toRelayError } from '../relay-error.js';
import type { PreAuthGate } from '../preauth-gate.js';
import type { RateLimiter } from '../rate-limiter.js';
import type { RelayServices } from '../relay-services.js';
import type { DeviceRecord } from '../storage/relay-storage.js';
import type { DeliveryHub } from './delivery-hub.js';
import { storageFailureKind } from '../storage/storage-failure.js';
import { describeError } from '../../shared/describe-error.js';

export interface UpgradeGuards {
  wss: WebSocketServer;
  hub: DeliveryHub;
  anonymousLimiter: RateLimiter;
  gate: PreAuthGate;
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
  const address = req.socket.remoteAddress ?? 'unknown';
  try {
    if (guards.state.closing) throw new RelayError('shutting_down', 'The relay is shutting down.');
    if (pathname !== webSocketPath) {
      throw new RelayError('not_found', `No WebSocket endpoint at ${pathname}.`);
    }
    const header = req.headers.authorization;
    let device: DeviceRecord | null = null;
    if (header !== undefined) {
      try {
        device = await services.deviceAuth.authenticate(
          services.storage,
          bearerToken(header),
          Date.now(),
        );
      } catch (error) {
        if (error instanceof RelayError && error.code === 'unauthorized') {
          spendAnonymous(guards.anonymousLimiter, address, 'Too many failed authentications.');
        }
        throw error;
      }
      guards.gate.authenticated(req.socket);
    } else {
      // Without a header the socket is held until its auth frame: that costs like a failed try.
      spendAnonymous(guards.anonymousLimiter, address, 'Too many WebSockets without a token.');
    }
    guards.wss.handleUpgrade(req, socket, head, (ws) => {
      // From here on a malformed frame (oversize, bad UTF-8, reserved opcode or RSV bit) is an
      // 'error' event on ws; without a listener it would end the process.
      ws.on('error', (error: Error & { code?: string }) => {
        services.logger.info('ws_protocol_error', {
          address,
          authenticated: device !== null,
          kind: describeError(error),
        });
      });
      if (device) startSession(services, guards.hub, ws, device);
      else awaitAuthFrame(services, guards, ws, address, req);
    });
  } catch (caught) {
    const error = caught instanceof RelayError ? caught : toRelayError(caught);
    if (error.code === 'rate_limited' || error.code === 'storage_unavailable') {
      services.logger.warn('ws_upgrade_refused', { address, refusal: error.code });
    }
    const text = JSON.stringify(errorBody(error));
    const status = relayErrorStatus[error.code];
    const extra = Object.entries(error.headers ?? {})
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    socket.end(
      `HTTP/1.1 ${status} ${error.code}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `${extra}Content-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
    );
  }
}

function spendAnonymous(limiter: RateLimiter, address: string, message: string): void {
  const wait = limiter.take(`auth:${address}`);
  if (wait > 0) {
    throw new RelayError('rate_limited', `${message} Retry in ${wait} s.`, undefined, {
      'retry-after': String(wait),
    });
  }
}

/** Runs accept(); if it fails (storage busy or full), that socket alone is closed with 1011. */
function startSession(
  services: RelayServices,
  hub: DeliveryHub,
  ws: WebSocket,
  device: DeviceRecord,
): void {
  accept(services, hub, ws, device).catch((error: unknown) => {
    services.logger.error('ws_accept_failed', {
      accountId: device.accountId,
      deviceId: device.deviceId,
      kind: storageFailureKind(error) ?? describeError(error),
    });
    if (ws.readyState === ws.OPEN) ws.close(closeCodes.internalError, 'relay storage error');
    else ws.terminate();
  });
}

function awaitAuthFrame(
  services: RelayServices,
  guards: UpgradeGuards,
  ws: WebSocket,
  address: string,
  req: IncomingMessage,
): void {
  const timer = setTimeout(() => {
    ws.send(
      JSON.stringify({ type: 'error', code: 'unauthorized', message: 'No auth frame in time.' }),
    );
    ws.close(closeCodes.unauthorized, 'no auth frame');
  }, protocolLimits.authFrameTimeoutSeconds * 1000);
  ws.once('close', () => clearTimeout(timer));
  ws.once('message', (data, isBinary) => {
    clearTimeout(timer);
    void (async () => {
      const parsed = isBinary ? null : safeJson(data.toString());
      const frame = clientFrameSchema.safeParse(parsed);
      if (!frame.success || frame.data.type !== 'auth') {
        guards.anonymousLimiter.take(`auth:${address}`);
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
      let device: DeviceRecord;
      try {
        device = await services.deviceAuth.authenticate(
          services.storage,
          frame.data.token,
          Date.now(),
        );
      } catch (caught) {
        const error = toRelayError(caught);
        if (error.code === 'unauthorized') guards.anonymousLimiter.take(`auth:${address}`);
        if (error.code === 'remote_wipe') {
          ws.send(JSON.stringify({ type: 'wipe', ...error.details }));
          ws.close(closeCodes.wipe, 'remote wipe');
          return;
        }
        ws.send(JSON.stringify({ type: 'error', code: error.code, message: error.message }));
        ws.close(
          error.code === 'device_revoked'
            ? closeCodes.revoked
            : error.code === 'storage_unavailable'
              ? closeCodes.internalError
              : closeCodes.unauthorized,
          error.code,
        );
        return;
      }
      if (ws.readyState !== ws.OPEN) return;
      guards.gate.authenticated(req.socket);
      startSession(services, guards.hub, ws, device);
    })();
  });
}

async function accept(
  services: RelayServices,
  hub: DeliveryHub,
  ws: WebSocket,
  device: DeviceRecord,
): Promise<void> {
  const connection = hub.attach(device, ws);
  ws.on('pong', () => {
    connection.alive = true;
  });
  ws.on('message', (data, isBinary) => {
    connection.alive = true;
    void connection.onMessage(data as Buffer, isBinary).catch((error: unknown) => {
      services.logger.error('ws_frame_failed', {
        deviceId: device.deviceId,
        error: describeError(error),
      });
    });
  });
  ws.on('close', (code) => {
    // "Last seen" in a person's device list: when the device left, as well as when it came.
    services.storage.touchDevice(device.devicePk, Date.now()).catch(() => undefined);
    services.logger.info('ws_closed', {
      accountId: device.accountId,
      deviceId: device.deviceId,
      closeCode: code,
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
