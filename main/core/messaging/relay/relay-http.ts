import http from 'node:http';
import https from 'node:https';
import type { z } from 'zod';
import { MessengerError } from '../../../../shared/errors.js';
import {
  chunkBytesType,
  endpointPath,
  endpoints,
  relayErrorBodySchema,
  removedBySchema,
  type WireRemovedBy,
  type EndpointName,
  type EndpointParamName,
  type EndpointParams,
  type EndpointRequest,
  type EndpointResponse,
  type Endpoints,
} from '../../../../shared/protocol/index.js';
import { RelayAddresses } from './relay-addresses.js';
import type { TlsPin } from './tls-pin.js';

/**
 * A relay call that did not succeed. `status` 0 means no HTTP answer (network, timeout, TLS);
 * `code` is the protocol's error code (docs/protocol.md §1.1) or `network` / `bad_response`.
 */
export class RelayRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
    this.name = 'RelayRequestError';
  }

  /** No connection was made (refused, unreachable, no such host): the request never left. */
  unsent = false;

  /** 5xx, 429 and no answer at all are worth retrying; other 4xx are final for this request. */
  get retryable(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

export interface RelayHttpOptions {
  /**
   * The relay: one URL, several (the nodes of a hosted relay, tried in order), or the addresses
   * shared with the device's socket.
   */
  readonly baseUrl: string | readonly string[] | RelayAddresses;
  readonly token?: string | null;
  readonly timeoutMs?: number;
  readonly pin?: TlsPin | null;
  /**
   * The relay refused this device for good (`remote_wipe`, `device_revoked`, `unauthorized`):
   * told once per answer, whichever call met it, so the core can stop (and wipe) at once.
   */
  readonly onDeviceRefused?: (
    code: 'remote_wipe' | 'device_revoked' | 'unauthorized',
    removedBy?: WireRemovedBy,
  ) => void;
}

/** What one call needs: the path parameters and the body, where the endpoint has them. */
export type RelayCall<N extends EndpointName> = ([EndpointParamName<N>] extends [never]
  ? unknown
  : { readonly params: EndpointParams<N> }) &
  (Endpoints[N]['request'] extends z.ZodType ? { readonly body: EndpointRequest<N> } : unknown);

/**
 * The relay's endpoints (shared/protocol/endpoints.ts) called by name, as JSON over HTTP(S), with
 * a timeout, keep-alive and optional certificate pin. Answers are parsed with the endpoint's schema.
 *
 * With several relay addresses, a call that cannot connect at all (refused, unreachable) is made
 * again at once on the next address: it never reached a relay, so this is safe for every
 * endpoint. A call cut off after it was sent (reset, timeout) fails as before, and the address
 * moves on, so the caller's retry (the outbox's, with the same clientMessageId) goes to the next.
 */
export class RelayHttp {
  readonly addresses: RelayAddresses;
  private readonly agents: { readonly http: http.Agent; readonly https: https.Agent };
  private readonly timeoutMs: number;

  constructor(private readonly options: RelayHttpOptions) {
    this.addresses =
      options.baseUrl instanceof RelayAddresses
        ? options.baseUrl
        : new RelayAddresses(options.baseUrl);
    this.timeoutMs = options.timeoutMs ?? 15_000;
    const agentOptions = { keepAlive: true, maxSockets: 32 };
    this.agents = { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) };
  }

  /** The relay address in use now. */
  get url(): URL {
    return this.addresses.current;
  }

  call<N extends EndpointName>(
    name: N,
    ...[input]: object extends RelayCall<N> ? [RelayCall<N>?] : [RelayCall<N>]
  ): Promise<EndpointResponse<N>> {
    const spec = endpoints[name];
    const { params = {}, body } = (input ?? {}) as { params?: object; body?: unknown };
    // Relative to the base URL, which may carry a path prefix of its own.
    const path = endpointPath(name, params as EndpointParams<N>).slice(1);
    const payload = body === undefined ? undefined : jsonPayload(body);
    // TypeScript cannot narrow the table by a generic name; the schema is this endpoint's own.
    return this.request(spec.method, path, spec.response, payload) as Promise<EndpointResponse<N>>;
  }

  /**
   * Uploads one ciphertext chunk as raw bytes (docs/protocol.md §5a), sparing both sides the
   * base64 and JSON work. A relay that knows only the JSON form (415) is sent that instead.
   */
  async putAttachmentChunk(
    params: EndpointParams<'putAttachmentChunk'>,
    data: Buffer,
  ): Promise<EndpointResponse<'putAttachmentChunk'>> {
    const path = endpointPath('putAttachmentChunk', params).slice(1);
    const schema = endpoints.putAttachmentChunk.response;
    try {
      return await this.request('PUT', path, schema, { type: chunkBytesType, bytes: data });
    } catch (error) {
      if (!(error instanceof RelayRequestError && error.code === 'unsupported_media_type')) {
        throw error;
      }
      return this.request('PUT', path, schema, jsonPayload({ data: data.toString('base64') }));
    }
  }

  /**
   * Downloads one ciphertext chunk, asking for raw bytes (§5a); a relay that answers in JSON
   * (an older one) is read as base64, checked against the protocol's schema as before.
   */
  async getAttachmentChunk(params: EndpointParams<'getAttachmentChunk'>): Promise<Buffer> {
    const path = endpointPath('getAttachmentChunk', params).slice(1);
    const answer = await this.request(
      'GET',
      path,
      endpoints.getAttachmentChunk.response,
      undefined,
      `${chunkBytesType}, application/json`,
    );
    return Buffer.isBuffer(answer) ? answer : Buffer.from(answer.data, 'base64');
  }

  private async request<S extends z.ZodType>(
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    schema: S,
    payload?: Payload,
    accept = 'application/json',
  ): Promise<z.output<S>> {
    for (let tried = 1; ; tried += 1) {
      const base = this.addresses.current;
      try {
        return await this.requestAt(base, method, path, schema, payload, accept);
      } catch (error) {
        if (!isNetworkFailure(error)) throw error;
        this.addresses.failed(base);
        if (!(error.unsent && tried < this.addresses.urls.length)) throw error;
      }
    }
  }

  /**
   * One request to one address. The answer is parsed with `schema`, unless `accept` allows raw
   * bytes and a 2xx answer is application/octet-stream: those bytes are returned as they are.
   */
  private async requestAt<S extends z.ZodType>(
    base: URL,
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    schema: S,
    payload: Payload | undefined,
    accept: string,
  ): Promise<z.output<S>> {
    const url = new URL(path, base);
    const tls =
      url.protocol === 'https:' && this.options.pin
        ? await this.options.pin.optionsFor(url).catch((error: unknown) => {
            throw pinFetchFailure(url, error);
          })
        : {};
    const headers: Record<string, string | number> = { accept };
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    if (payload) {
      headers['content-type'] = payload.type;
      headers['content-length'] = payload.bytes.length;
    }
    const answer = await this.send(url, method, headers, payload?.bytes, tls);
    const { status, retryAfter } = answer;
    if (
      status >= 200 &&
      status < 300 &&
      answer.type === chunkBytesType &&
      accept.includes(chunkBytesType)
    ) {
      // Only getAttachmentChunk asks for bytes, and it tells a Buffer from a parsed answer.
      return answer.bytes as z.output<S>;
    }
    const text = answer.bytes.toString('utf8');
    let json: unknown;
    try {
      json = text === '' ? null : JSON.parse(text);
    } catch {
      throw new RelayRequestError(
        status,
        'bad_response',
        `The relay answered ${status} with non-JSON.`,
      );
    }
    if (status < 200 || status >= 300) {
      const parsed = relayErrorBodySchema.safeParse(json);
      const retryAfterMs = retryAfter ? Number(retryAfter) * 1000 : null;
      if (!parsed.success) {
        throw new RelayRequestError(
          status,
          status >= 500 ? 'internal' : 'bad_response',
          `The relay answered ${status}.`,
          {},
          retryAfterMs,
        );
      }
      const { code, message, details } = parsed.data.error;
      if (code === 'remote_wipe' || code === 'device_revoked' || code === 'unauthorized') {
        this.options.onDeviceRefused?.(
          code,
          removedBySchema.safeParse(details?.['removedBy']).data,
        );
      }
      throw new RelayRequestError(status, code, message, details ?? {}, retryAfterMs);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new RelayRequestError(
        status,
        'bad_response',
        `The relay's answer to ${method} ${url.pathname} does not follow the protocol (${parsed.error.issues[0]?.path.join('.') ?? ''}: ${parsed.error.issues[0]?.message ?? ''}).`,
      );
    }
    return parsed.data;
  }

  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  private send(
    url: URL,
    method: string,
    headers: Record<string, string | number>,
    payload: Buffer | undefined,
    tls: object,
  ): Promise<{ status: number; type: string; bytes: Buffer; retryAfter: string | undefined }> {
    const https_ = url.protocol === 'https:';
    const transport = https_ ? https : http;
    const agent = https_ ? this.agents.https : this.agents.http;
    return new Promise((resolve, reject) => {
      const request = transport.request(
        url,
        { method, headers, agent, timeout: this.timeoutMs, ...tls },
        (response) => {
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            size += chunk.length;
            // A relay answer is small; a huge one is a broken or hostile server.
            if (size > 4 * 1024 * 1024) request.destroy(new Error('response too large'));
            else chunks.push(chunk);
          });
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 0,
              type: (response.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '',
              bytes: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks),
              retryAfter: response.headers['retry-after'],
            }),
          );
          response.on('error', (error) => reject(networkError(url, error)));
        },
      );
      request.on('timeout', () =>
        request.destroy(new Error(`no answer within ${this.timeoutMs} ms`)),
      );
      request.on('error', (error) => reject(networkError(url, error)));
      request.end(payload);
    });
  }
}

/** A request body and its media type. */
interface Payload {
  readonly type: string;
  readonly bytes: Buffer;
}

function jsonPayload(body: unknown): Payload {
  return { type: 'application/json', bytes: Buffer.from(JSON.stringify(body)) };
}

// Errors of a connection that was never made: the request did not reach any relay.
const unsentCodes = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

function networkError(url: URL, error: Error): RelayRequestError | MessengerError {
  if (error instanceof MessengerError) return error;
  const failure = new RelayRequestError(
    0,
    'network',
    `Cannot reach the relay at ${url.host}: ${error.message}. Check the network; messages wait in the outbox meanwhile.`,
  );
  failure.unsent = unsentCodes.has((error as NodeJS.ErrnoException).code ?? '');
  return failure;
}

/**
 * The pinned certificate could not be fetched from this address (nothing was sent): a network
 * failure like any other. A certificate that does not match the pin is not, and stays as it is.
 */
function pinFetchFailure(url: URL, error: unknown): unknown {
  if (!(error instanceof MessengerError) || error.code !== 'network') return error;
  const failure = new RelayRequestError(0, 'network', error.message);
  failure.unsent = true;
  return failure;
}

function isNetworkFailure(error: unknown): error is RelayRequestError {
  return error instanceof RelayRequestError && error.status === 0 && error.code === 'network';
}
