import type { Socket } from 'node:net';
import type { RelayLogger } from './log.js';

export interface PreAuthLimits {
  maxPreAuthPerAddress: number;
  maxPreAuthTotal: number;
}

/** Seconds a refused client is told to wait (Retry-After). */
const refusedRetryAfterSeconds = 5;
/** One log line per address per this many milliseconds, with the count refused meanwhile. */
const refusalLogIntervalMs = 10_000;

/**
 * Bounds connections that have not authenticated, per source address and in total. Every TCP
 * connection counts from its first byte until it authenticates (an authenticated request or
 * WebSocket on it) or closes; anything else (silent sockets, slow headers, WebSockets waiting to
 * send `auth`) holds a file descriptor and memory for nobody we know. Past a cap the connection
 * gets a 429 with Retry-After and is closed before anything on it is parsed.
 *
 * Connections are identified by remote address and port, which the raw socket and the TLS
 * socket wrapping it share, so the same gate serves HTTP and HTTPS.
 */
export class PreAuthGate {
  private readonly open = new Map<string, string>();
  private readonly perAddress = new Map<string, number>();
  private readonly refusals = new Map<string, { count: number; loggedAt: number }>();

  constructor(
    private readonly limits: PreAuthLimits,
    private readonly logger: RelayLogger,
    /** Over TLS a plain-text 429 would be noise to the client: the socket is just closed. */
    private readonly tls = false,
  ) {}

  /** Unauthenticated connections now open, for figures and tests. */
  get size(): number {
    return this.open.size;
  }

  /** A new TCP connection: counts it, or answers 429 and closes it. */
  admit(socket: Socket): void {
    const address = socket.remoteAddress ?? 'unknown';
    const key = connectionKey(socket);
    const held = this.perAddress.get(address) ?? 0;
    const reason =
      held >= this.limits.maxPreAuthPerAddress
        ? 'per_address'
        : this.open.size >= this.limits.maxPreAuthTotal
          ? 'total'
          : null;
    if (reason !== null || key === null) {
      this.logRefusal(address, reason ?? 'no_address');
      socket.on('error', () => undefined);
      if (this.tls) {
        socket.destroy();
        return;
      }
      socket.end(
        `HTTP/1.1 429 Too Many Requests\r\nRetry-After: ${refusedRetryAfterSeconds}\r\n` +
          'Content-Length: 0\r\nConnection: close\r\n\r\n',
      );
      // A client that never reads must not keep the socket half-open.
      setTimeout(() => socket.destroy(), 1000).unref();
      return;
    }
    this.open.set(key, address);
    this.perAddress.set(address, held + 1);
    socket.once('close', () => this.release(key));
  }

  /** The connection carrying this socket (raw or TLS) authenticated: it no longer counts. */
  authenticated(socket: Socket): void {
    const key = connectionKey(socket);
    if (key !== null) this.release(key);
  }

  private release(key: string): void {
    const address = this.open.get(key);
    if (address === undefined) return;
    this.open.delete(key);
    const held = (this.perAddress.get(address) ?? 1) - 1;
    if (held <= 0) this.perAddress.delete(address);
    else this.perAddress.set(address, held);
  }

  private logRefusal(address: string, reason: string): void {
    const now = Date.now();
    const entry = this.refusals.get(address) ?? { count: 0, loggedAt: 0 };
    entry.count += 1;
    if (now - entry.loggedAt >= refusalLogIntervalMs) {
      this.logger.warn('preauth_refused', {
        address,
        reason,
        refused: entry.count,
        heldFromAddress: this.perAddress.get(address) ?? 0,
        heldTotal: this.open.size,
      });
      entry.count = 0;
      entry.loggedAt = now;
    }
    this.refusals.set(address, entry);
  }

  /** Forgets refusal counters of quiet addresses (called with the rate limiters' sweep). */
  sweep(): void {
    const now = Date.now();
    for (const [address, entry] of this.refusals) {
      if (now - entry.loggedAt < refusalLogIntervalMs) continue;
      if (entry.count > 0) this.logger.warn('preauth_refused', { address, refused: entry.count });
      this.refusals.delete(address);
    }
  }
}

function connectionKey(socket: Socket): string | null {
  if (socket.remoteAddress === undefined || socket.remotePort === undefined) return null;
  return `${socket.remoteAddress}|${socket.remotePort}`;
}
