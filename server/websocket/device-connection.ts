import type { WebSocket } from 'ws';
import {
  ackIdPattern,
  clientFrameSchema,
  closeCodes,
  protocolLimits,
  type ServerFrame,
} from '../../shared/protocol/index.js';
import type { RelayLogger } from '../log.js';
import type { RateLimiter } from '../rate-limiter.js';
import type { DeviceRecord, RelayStorage } from '../storage/relay-storage.js';
import { describeError } from '../../shared/describe-error.js';
import { envelopeFrame, type OutgoingEnvelope } from './envelope-frame.js';

/**
 * One authenticated device socket. The device's queue lives in storage; this is only a cursor
 * over it (`lastSentId`) with a window of unacked envelopes. Live pushes and the initial drain
 * are the same operation — read the queue past the cursor — so ordering is the storage order
 * (acceptance order) whichever way an envelope arrives.
 */
export class DeviceConnection {
  private lastSentId = 0;
  private readonly inFlight = new Set<number>();
  private pumping = false;
  private pumpAgain = false;
  private reportedEmpty = false;
  /**
   * Whether the queue may hold envelopes past the cursor that this connection has not read: true
   * until a read comes back short of the window, and again when the window was full or new
   * envelopes were notified. An ack reads the queue only then (the profile showed a queue read
   * after every ack costing as much as the lookups of every request).
   */
  private mayHaveMore = true;
  alive = true;

  constructor(
    readonly device: DeviceRecord,
    readonly socket: WebSocket,
    private readonly storage: RelayStorage,
    private readonly frameLimiter: RateLimiter,
    private readonly logger: RelayLogger,
  ) {}

  get open(): boolean {
    return this.socket.readyState === this.socket.OPEN;
  }

  send(frame: ServerFrame): void {
    if (this.open) this.socket.send(JSON.stringify(frame));
  }

  close(code: number, reason: string): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.close(code, reason);
    else if (this.socket.readyState === this.socket.CONNECTING) this.socket.terminate();
  }

  /**
   * An envelope of `previousId`'s successor was just committed for this device by this process.
   * It is sent at once, without a queue read, when that keeps the queue order: nothing is queued
   * between the cursor and it (previousId is at or before the cursor), no read is under way, and
   * the window has room. Otherwise the queue is read as for any notification.
   */
  offer(envelope: OutgoingEnvelope, previousId: number): void {
    if (envelope.id <= this.lastSentId) return;
    if (
      !this.pumping &&
      this.open &&
      previousId <= this.lastSentId &&
      this.inFlight.size < protocolLimits.webSocketWindow
    ) {
      this.push(envelope);
      return;
    }
    void this.pump();
  }

  private push(envelope: OutgoingEnvelope): void {
    if (this.open) this.socket.send(envelopeFrame(envelope));
    this.lastSentId = envelope.id;
    this.inFlight.add(envelope.id);
    // A full window leaves whatever comes next to the queue read after the acks.
    if (this.inFlight.size >= protocolLimits.webSocketWindow) this.mayHaveMore = true;
  }

  /** Sends queued envelopes past the cursor until the window is full or the queue is drained. */
  async pump(): Promise<void> {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        this.mayHaveMore = true;
        while (this.open && this.inFlight.size < protocolLimits.webSocketWindow) {
          const room = protocolLimits.webSocketWindow - this.inFlight.size;
          const batch = await this.storage.fetchQueue(this.device.devicePk, this.lastSentId, room);
          for (const envelope of batch) {
            this.push({ ...envelope, content: Buffer.from(envelope.content).toString('base64') });
          }
          if (batch.length < room) {
            this.mayHaveMore = false;
            if (!this.reportedEmpty) {
              this.reportedEmpty = true;
              this.send({ type: 'queue_empty' });
            }
            break;
          }
        }
      } while (this.pumpAgain && this.open);
    } catch (error) {
      this.logger.error('ws_pump_failed', {
        deviceId: this.device.deviceId,
        error: describeError(error),
      });
      this.close(closeCodes.goingAway, 'relay storage error');
    } finally {
      this.pumping = false;
    }
  }

  async onMessage(data: Buffer, isBinary: boolean): Promise<void> {
    if (this.frameLimiter.take(String(this.device.devicePk)) > 0) {
      this.send({ type: 'error', code: 'rate_limited', message: 'Too many frames; slow down.' });
      this.close(closeCodes.rateLimited, 'rate limited');
      return;
    }
    let frame: unknown;
    try {
      if (isBinary) throw new Error('binary');
      frame = JSON.parse(data.toString('utf8'));
    } catch {
      this.send({ type: 'error', code: 'bad_json', message: 'Frames are JSON text.' });
      return;
    }
    const parsed = isPlainAck(frame)
      ? { success: true as const, data: frame }
      : clientFrameSchema.safeParse(frame);
    if (!parsed.success) {
      this.send({
        type: 'error',
        code: 'invalid_input',
        message: parsed.error.issues[0]?.message ?? 'Unknown frame.',
      });
      return;
    }
    switch (parsed.data.type) {
      case 'ping':
        this.send({ type: 'pong' });
        return;
      case 'auth':
        this.send({ type: 'error', code: 'invalid_input', message: 'Already authenticated.' });
        return;
      case 'ack': {
        const ids = parsed.data.ids.map(Number);
        for (const id of ids) this.inFlight.delete(id);
        // The store groups concurrent acks into one commit; the next read (if any) need not
        // wait for it, as acked ids are all at or before the cursor.
        const acked = this.storage.ack(this.device.devicePk, ids);
        if (this.mayHaveMore || this.pumping) await this.pump();
        await acked;
        return;
      }
    }
  }
}

/**
 * The ack frame as every client sends it, checked without the schema (one ack per delivered
 * envelope made the zod parse a visible share of the relay's profile). Whatever this accepts,
 * clientFrameSchema accepts too; anything else still goes through the schema and its messages.
 */
function isPlainAck(frame: unknown): frame is { type: 'ack'; ids: string[] } {
  if (typeof frame !== 'object' || frame === null) return false;
  const { type, ids } = frame as { type?: unknown; ids?: unknown };
  return (
    type === 'ack' &&
    Array.isArray(ids) &&
    ids.length >= 1 &&
    ids.length <= protocolLimits.webSocketWindow * 10 &&
    ids.every((id) => typeof id === 'string' && ackIdPattern.test(id))
  );
}
