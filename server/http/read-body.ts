import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import { RelayError } from '../relay-error.js';

/** The media type of a request body, lower case, without parameters ('' when absent). */
export function contentTypeOf(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/**
 * Reads and parses a JSON request body no larger than `maxBytes`. An oversize body is read to
 * its end and discarded (up to 16x the cap) rather than cut off, so that the client sees the 413
 * instead of a reset connection; beyond that the connection is dropped.
 */
export async function readJson(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  if (contentTypeOf(req) !== 'application/json') {
    req.resume();
    throw new RelayError(
      'unsupported_media_type',
      'Send the body as Content-Type: application/json.',
    );
  }
  const body = await readBytes(req, maxBytes);
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new RelayError('bad_json', 'The body is not valid JSON.');
  }
}

/**
 * Reads a raw request body of at most `maxBytes`, whatever its type (the caller checked it). A
 * declared Content-Length above the cap is refused before any of the body is read; an oversize
 * body without one is read to its end and discarded, as for JSON.
 */
export async function readBytes(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    // Small enough to drain, so the client reads the 413; far too large, the connection goes.
    if (declared > maxBytes * 16) req.destroy();
    else req.resume();
    throw tooLarge(maxBytes);
  }
  // Stream events rather than `for await`: the async iterator cost the relay's send path more
  // than reading the body itself (profile of issue 18).
  const chunks: Buffer[] = [];
  let total = 0;
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      total += chunk.length;
      if (total > maxBytes * 16) {
        req.off('data', onData);
        req.destroy();
        resolve();
        return;
      }
      if (total <= maxBytes) chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', resolve);
    req.once('error', reject);
    // A client that went away mid-body: fail as the async iterator did (premature close).
    req.once('close', () => reject(new Error('The request closed before its body ended.')));
  });
  if (total > maxBytes) throw tooLarge(maxBytes);
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
}

function tooLarge(maxBytes: number): RelayError {
  return new RelayError('payload_too_large', `The body must be at most ${maxBytes} bytes.`, {
    maxBytes,
  });
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
