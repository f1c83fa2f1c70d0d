import type { ServerResponse } from 'node:http';
import { relayErrorStatus, type RelayErrorCode } from '../../shared/protocol/index.js';
import { storageFailureKind, storageRetryAfterSeconds } from '../storage/storage-failure.js';

/** An error with a wire code; the HTTP status follows from the code (shared/protocol/errors.ts). */
export class RelayError extends Error {
  readonly status: number;
  constructor(
    readonly code: RelayErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'RelayError';
    this.status = relayErrorStatus[code];
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

export function errorBody(error: RelayError): { error: Record<string, unknown> } {
  return {
    error: {
      code: error.code,
      message: error.message,
      ...(error.details ? { details: error.details } : {}),
    },
  };
}

export function sendError(res: ServerResponse, error: RelayError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, error.status, errorBody(error), error.headers);
}

/** Busy, full or failing storage is the relay's temporary trouble: 503 with Retry-After. */
export function toRelayError(caught: unknown): RelayError {
  if (caught instanceof RelayError) return caught;
  const kind = storageFailureKind(caught);
  if (kind !== null) {
    const wait = storageRetryAfterSeconds(kind);
    return new RelayError(
      'storage_unavailable',
      `The relay's storage is ${kind === 'busy' ? 'busy' : 'unavailable'}; retry in ${wait} s.`,
      undefined,
      { 'retry-after': String(wait) },
    );
  }
  return new RelayError('internal', 'The relay failed to handle this request.');
}
