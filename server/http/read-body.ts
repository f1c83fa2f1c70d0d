import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import { RelayError } from '../relay-error.js';

/**
 * Reads and parses a JSON request body no larger than `maxBytes`. An oversize body is read to
 * its end and discarded (up to 16x the cap) rather than cut off, so that the client sees the 413
 * instead of a reset connection; beyond that the connection is dropped.
 */
export async function readJson(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    req.resume();
    throw new RelayError(
      'unsupported_media_type',
      'Send the body as Content-Type: application/json.',
    );
  }
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes * 16) {
    req.destroy();
    throw new RelayError('payload_too_large', `The body must be at most ${maxBytes} bytes.`, {
      maxBytes,
    });
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes * 16) {
      req.destroy();
      break;
    }
    if (total <= maxBytes) chunks.push(chunk);
  }
  if (total > maxBytes) {
    throw new RelayError('payload_too_large', `The body must be at most ${maxBytes} bytes.`, {
      maxBytes,
    });
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new RelayError('bad_json', 'The body is not valid JSON.');
  }
}

export function parseWith<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issues = result.error.issues.slice(0, 10).map((issue) => ({
      path: issue.path.map(String).join('.'),
      message: issue.message,
    }));
    const first = issues[0];
    throw new RelayError(
      'invalid_input',
      first
        ? `${first.path || 'body'}: ${first.message}`
        : 'The request does not match the schema.',
      { issues },
    );
  }
  return result.data;
}
