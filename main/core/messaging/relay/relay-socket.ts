import { WebSocket } from 'ws';
import {
  closeCodes,
  relayErrorBodySchema,
  removedBySchema,
  serverFrameSchema,
  type WireRemovedBy,
  type ClientFrame,
  type IncomingEnvelope,
  webSocketPath,
} from '../../../../shared/protocol/index.js';
import type { Logger } from '../../log/logger.js';
import { backoffDelay, type BackoffOptions } from '../backoff.js';
import type { RelayAddresses } from './relay-addresses.js';
import type { TlsPin } from './tls-pin.js';
import { describeError } from '../../../../shared/describe-error.js';

export type ConnectionState = 'offline' | 'connecting' | 'online';
/** Conditions after which reconnecting is pointless: the user (or IT) has to act. */
export type SocketStop = 'unauthorized' | 'revoked' | 'wipe' | 'replaced';

export interface RelaySocketHandlers {
  state(state: ConnectionState): void;
  envelope(envelope: IncomingEnvelope): void;
  /** Every envelope queued when this connection opened has been handed to `envelope`. */
  queueEmpty(): void;
  /** `removedBy`: the person removed this device from another of theirs (a wipe only). */
  stopped(reason: SocketStop, removedBy?: WireRemovedBy): void;
}

export interface RelaySocketOptions {
  /** The relay's addresses, shared with the HTTP client: a failed address is left for the next. */
  readonly addresses: RelayAddresses;
  readonly token: string;
  readonly pin?: TlsPin | null;
  readonly heartbeatMs?: number;
  readonly backoff?: BackoffOptions;
  readonly logger: Logger;
}

/**
 * The device's one WebSocket to the relay (docs/protocol.md §6): header authentication,
 * application pings with a dead-connection timeout, and reconnection with jittered exponential
 * backoff after every close except the ones that need the user (revoked, wiped, replaced).
 * A connection that fails or drops moves to the relay's next address (a hosted relay's other
 * node) for the reconnection; with one address it reconnects to the same.
 */
export class RelaySocket {
  private socket: WebSocket | null = null;
  private running = false;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private awaitingPong = false;
  private currentState: ConnectionState = 'offline';
  private readonly heartbeatMs: number;
  private readonly backoff: BackoffOptions;

  constructor(
    private readonly options: RelaySocketOptions,
    private readonly handlers: RelaySocketHandlers,
  ) {
    this.heartbeatMs = options.heartbeatMs ?? 20_000;
    this.backoff = options.backoff ?? { initialMs: 500, maxMs: 30_000 };
  }

  get state(): ConnectionState {
    return this.currentState;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.connect();
  }

  stop(): void {
    this.running = false;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.stopHeartbeat();
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.terminate();
    }
    this.setState('offline');
  }

  /** Acks processed envelopes; false when not connected (the relay will redeliver them). */
  ack(ids: readonly string[]): boolean {
    for (let start = 0; start < ids.length; start += 1000) {
      if (!this.send({ type: 'ack', ids: ids.slice(start, start + 1000) })) return false;
    }
    return true;
  }

  private send(frame: ClientFrame): boolean {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return false;
    socket.send(JSON.stringify(frame));
    return true;
  }

  private async connect(): Promise<void> {
    if (!this.running) return;
    this.setState('connecting');
    const base = this.options.addresses.current;
    const url = new URL(webSocketPath.slice(1), base);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    let tls = {};
    try {
      if (url.protocol === 'wss:' && this.options.pin) {
        tls = await this.options.pin.optionsFor(base);
      }
    } catch (error) {
      this.options.logger.warn('relay_tls_pin_failed', { error: describeError(error) });
      this.options.addresses.failed(base);
      this.scheduleReconnect();
      return;
    }
    if (!this.running) return;
    const socket = new WebSocket(url, {
      headers: { authorization: `Bearer ${this.options.token}` },
      handshakeTimeout: 15_000,
      maxPayload: 1024 * 1024,
      ...tls,
    });
    this.socket = socket;
    socket.on('unexpected-response', (_request, response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        let code = '';
        let removedBy: WireRemovedBy | undefined;
        try {
          const parsed = relayErrorBodySchema.safeParse(
            JSON.parse(Buffer.concat(chunks).toString()),
          );
          if (parsed.success) {
            code = parsed.data.error.code;
            removedBy = removedBySchema.safeParse(parsed.data.error.details?.['removedBy']).data;
          }
        } catch {
          // Not a protocol error body: treat as a transient failure.
        }
        this.options.logger.warn('relay_socket_refused', {
          status: response.statusCode,
          errorCode: code,
        });
        socket.removeAllListeners();
        socket.on('error', () => undefined);
        socket.terminate();
        if (this.socket === socket) this.socket = null;
        if (code === 'remote_wipe') this.halt('wipe', removedBy);
        else if (code === 'device_revoked') this.halt('revoked');
        else if (code === 'unauthorized') this.halt('unauthorized');
        else {
          // This node cannot serve the device now (its database is out of reach, a balancer
          // without a healthy node): another address may.
          this.options.addresses.failed(base);
          this.scheduleReconnect();
        }
      });
    });
    socket.on('message', (data, isBinary) => {
      if (isBinary) return;
      this.onFrame(data.toString());
    });
    socket.on('pong', () => {
      this.awaitingPong = false;
    });
    socket.on('close', (code) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.stopHeartbeat();
      this.options.logger.info('relay_socket_closed', { closeCode: code });
      if (code === closeCodes.wipe) this.halt('wipe');
      else if (code === closeCodes.revoked) this.halt('revoked');
      else if (code === closeCodes.unauthorized) this.halt('unauthorized');
      else if (code === closeCodes.replaced) this.halt('replaced');
      else {
        // Refused, reset, the node stopped or died: the next attempt tries the next address.
        this.options.addresses.failed(base);
        this.scheduleReconnect();
      }
    });
    socket.on('error', (error) => {
      this.options.logger.info('relay_socket_error', { error: describeError(error) });
    });
  }

  private onFrame(raw: string): void {
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      this.options.logger.warn('relay_frame_not_json');
      return;
    }
    const parsed = serverFrameSchema.safeParse(json);
    if (!parsed.success) {
      // Unknown frame types are ignored (protocol §1: clients ignore what they do not know).
      this.options.logger.warn('relay_frame_ignored');
      return;
    }
    const frame = parsed.data;
    switch (frame.type) {
      case 'ready':
        this.attempt = 0;
        this.startHeartbeat();
        this.setState('online');
        return;
      case 'envelope':
        this.handlers.envelope(frame.envelope);
        return;
      case 'queue_empty':
        this.handlers.queueEmpty();
        return;
      case 'pong':
        this.awaitingPong = false;
        return;
      case 'wipe':
        this.halt('wipe', frame.removedBy);
        return;
      case 'error':
        this.options.logger.warn('relay_frame_error', { errorCode: frame.code });
        return;
    }
  }

  private startHeartbeat(): void {
    this.stopHeartbeat();
    this.awaitingPong = false;
    this.heartbeatTimer = setInterval(() => {
      const socket = this.socket;
      if (!socket) return;
      if (this.awaitingPong) {
        // No pong for a whole interval: the connection is dead even if TCP has not noticed.
        this.options.logger.info('relay_heartbeat_missed');
        socket.terminate();
        return;
      }
      this.awaitingPong = true;
      this.send({ type: 'ping' });
    }, this.heartbeatMs);
    this.heartbeatTimer.unref();
  }

  private stopHeartbeat(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  private scheduleReconnect(): void {
    this.setState('offline');
    if (!this.running) return;
    const delay = backoffDelay(this.attempt, this.backoff);
    this.attempt += 1;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.connect();
    }, delay);
  }

  private halt(reason: SocketStop, removedBy?: WireRemovedBy): void {
    this.stop();
    this.handlers.stopped(reason, removedBy);
  }

  private setState(state: ConnectionState): void {
    if (state === this.currentState) return;
    this.currentState = state;
    this.handlers.state(state);
  }
}
