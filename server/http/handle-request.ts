import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  attachmentLimits,
  chunkBytesType,
  endpoints,
  webSocketPath,
  type EndpointName,
} from '../../shared/protocol/index.js';
import { bearerToken } from '../authenticate.js';
import type { PreAuthGate } from '../preauth-gate.js';
import type { RateLimiter } from '../rate-limiter.js';
import type { RelayServices } from '../relay-services.js';
import { RelayError, toRelayError } from '../relay-error.js';
import { sendBytes, sendError, sendJson } from './json-response.js';
import { contentTypeOf, parseWith, readBytes, readJson } from './read-body.js';
import { matchRoute } from './router.js';
import { storageFailureKind } from '../storage/storage-failure.js';
import { describeError } from '../../shared/describe-error.js';

export interface RequestGuards {
  requestLimiter: RateLimiter;
  anonymousLimiter: RateLimiter;
  gate: PreAuthGate;
  state: { closing: boolean };
}

/** One HTTP request: route, authenticate, rate-limit, run the handler, answer in JSON. */
export async function handleRequest(
  services: RelayServices,
  guards: RequestGuards,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const started = performance.now();
  const address = req.socket.remoteAddress ?? 'unknown';
  let routeName = 'unmatched';
  let accountId: string | undefined;
  let deviceId: number | undefined;
  try {
    if (guards.state.closing) {
      throw new RelayError(
        'shutting_down',
        'The relay is shutting down; retry shortly.',
        undefined,
        {
          connection: 'close',
        },
      );
    }
    const pathname = new URL(req.url ?? '/', 'http://relay').pathname;
    const match = matchRoute(req.method ?? 'GET', pathname);
    if (match.kind === 'none') {
      if (pathname === webSocketPath) {
        throw new RelayError('upgrade_required', `Open ${webSocketPath} as a WebSocket.`);
      }
      throw new RelayError('not_found', `No such endpoint: ${req.method} ${pathname}.`);
    }
    if (match.kind === 'wrong_method') {
      throw new RelayError(
        'method_not_allowed',
        `Use ${match.allow.join(' or ')} here.`,
        undefined,
        {
          allow: match.allow.join(', '),
        },
      );
    }
    routeName = match.route.name;
    let device = null;
    if (match.route.auth === 'device') {
      try {
        device = await services.deviceAuth.authenticate(
          services.storage,
          bearerToken(req.headers.authorization),
          Date.now(),
        );
      } catch (error) {
        // Failed authentications spend the address's bucket, so tokens cannot be guessed quickly.
        if (error instanceof RelayError && error.code === 'unauthorized') {
          throttle(guards.anonymousLimiter, `auth:${address}`);
        }
        throw error;
      }
      accountId = device.accountId;
      deviceId = device.deviceId;
      guards.gate.authenticated(req.socket);
      throttle(guards.requestLimiter, `device:${device.devicePk}`);
    } else if (match.route.endpoint === 'enrol') {
      throttle(guards.anonymousLimiter, `enrol:${address}`);
    } else if (match.route.endpoint === 'redeemLink') {
      // Only wrong link codes spend the address's bucket (below), so a PC waiting for approval
      // may ask again freely; once the bucket is empty no code is even looked up.
      const wait = guards.anonymousLimiter.peek(`link:${address}`);
      if (wait > 0) throw rateLimited(wait);
    }
    // The body is read only after authentication and rate limits, and only where one is expected.
    const schema = endpoints[match.route.endpoint].request;
    const bytesLimit = binaryBodies[match.route.endpoint];
    let body: unknown;
    let bytes: Buffer | undefined;
    if (bytesLimit !== undefined && contentTypeOf(req) === chunkBytesType) {
      bytes = await readBytes(req, bytesLimit);
    } else if (bytesLimit !== undefined && contentTypeOf(req) !== 'application/json') {
      req.resume();
      throw new RelayError(
        'unsupported_media_type',
        `Send the body as Content-Type: ${chunkBytesType} (or application/json).`,
      );
    } else if (schema !== null) {
      body = parseWith(schema, await readJson(req, services.limits.maxBodyBytes));
    }
    const result = await match.route.handler(services, {
      req,
      params: match.params,
      device,
      body,
      ...(bytes ? { bytes } : {}),
      ...(device
        ? { spendRequestToken: () => guards.requestLimiter.take(`device:${device.devicePk}`) }
        : {}),
    });
    // A request that was running when shutdown began must not keep its connection alive.
    const headers: Record<string, string> = guards.state.closing ? { connection: 'close' } : {};
    if (result.bytes) sendBytes(res, result.status, result.bytes, headers);
    else sendJson(res, result.status, result.body, headers);
  } catch (caught) {
    const error = toRelayError(caught);
    if (error.code === 'link_code_invalid') guards.anonymousLimiter.take(`link:${address}`);
    if (error.code === 'storage_unavailable') {
      services.logger.warn('storage_unavailable', {
        route: routeName,
        kind: storageFailureKind(caught),
        error: describeError(caught),
      });
    } else if (!(caught instanceof RelayError)) {
      services.logger.error('request_failed', {
        route: routeName,
        error: describeError(caught),
      });
    }
    if (!req.complete) req.resume();
    sendError(res, error);
  } finally {
    services.logger.info('request', {
      method: req.method,
      route: routeName,
      status: res.statusCode,
      ms: Math.round(performance.now() - started),
      accountId,
      deviceId,
    });
  }
}

/** Endpoints that also take a raw body (application/octet-stream), with its largest size. */
const binaryBodies: Partial<Record<EndpointName, number>> = {
  putAttachmentChunk: attachmentLimits.maxChunkCiphertextBytes,
};

function throttle(limiter: RateLimiter, key: string): void {
  const wait = limiter.take(key);
  if (wait > 0) throw rateLimited(wait);
}

function rateLimited(wait: number): RelayError {
  return new RelayError('rate_limited', `Too many requests; retry in ${wait} s.`, undefined, {
    'retry-after': String(wait),
  });
}
