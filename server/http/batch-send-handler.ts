import type { BatchSendResult } from '../../shared/protocol/index.js';
import { describeError } from '../../shared/describe-error.js';
import { RelayError, toRelayError } from '../relay-error.js';
import type { Handler } from './handlers.js';

/**
 * PUT /v1/messages/batch (docs/protocol.md §5c): each entry goes through the 1:1 send handler
 * exactly as its own PUT /v1/messages/{accountId} would (same checks, same storage call, same
 * delivery wake-up), and its refusal becomes its entry in the answer instead of the answer.
 * The entries run concurrently, so the store commits them together as it does concurrent
 * requests (SQLite: one transaction and one fsync per event-loop turn); the answer waits for all.
 */
export function sendBatchVia(single: Handler<'sendMessage'>): Handler<'sendBatch'> {
  return async (services, { req, device, body, spendRequestToken }) => {
    const results = await Promise.all(
      body.sends.map(async ({ accountId, ...send }, index): Promise<BatchSendResult> => {
        try {
          // The request paid for its first entry; each further one costs a request token, as its
          // own request would, so batching does not multiply the rate a device may send at (§8).
          const wait = index === 0 ? 0 : (spendRequestToken?.() ?? 0);
          if (wait > 0) throw rateLimitedEntry(wait);
          const answer = await single(services, { req, device, params: { accountId }, body: send });
          return { status: 200, ...(answer.body as { queued: number[]; duplicates: number[] }) };
        } catch (caught) {
          const error = toRelayError(caught);
          // As handle-request.ts logs a request's unexpected failure (never the ciphertext).
          if (!(caught instanceof RelayError)) {
            services.logger.warn('batch_send_entry_failed', {
              code: error.code,
              error: describeError(caught),
            });
          }
          const retryAfter = Number(error.headers?.['retry-after']);
          return {
            status: error.status,
            error: {
              code: error.code,
              message: error.message,
              ...(error.details ? { details: error.details } : {}),
            },
            ...(Number.isInteger(retryAfter) ? { retryAfter } : {}),
          };
        }
      }),
    );
    return { status: 200, body: { results } };
  };
}

function rateLimitedEntry(wait: number): RelayError {
  return new RelayError('rate_limited', `Too many sends; retry in ${wait} s.`, undefined, {
    'retry-after': String(wait),
  });
}
