import { relayErrorStatus, type RelayErrorCode } from '../shared/protocol/index.js';
import { storageFailureKind, storageRetryAfterSeconds } from './storage/storage-failure.js';

// The relay's refusals, kept apart from HTTP and WebSocket so that authentication and key checks
// can throw them without depending on the transport that reports them.

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
