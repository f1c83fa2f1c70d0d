import type { WebSocket } from 'ws';
import { closeCodes } from '../../shared/protocol/index.js';
import type { RelayLogger } from '../log.js';
import type { RateLimiter } from '../rate-limiter.js';
import type { DeliveryNotifier } from '../relay-services.js';
import type { DeviceRecord, RelayStorage } from '../storage/relay-storage.js';
import { DeviceConnection } from './device-connection.js';

/** The open device sockets of this relay process, at most one per device. */
export class DeliveryHub implements DeliveryNotifier {
  private readonly connections = new Map<number, DeviceConnection>();

  constructor(
    private readonly storage: RelayStorage,
    private readonly frameLimiter: RateLimiter,
    private readonly logger: RelayLogger,
  ) {}

  get size(): number {
    return this.connections.size;
  }

  attach(device: DeviceRecord, socket: WebSocket): DeviceConnection {
    const previous = this.connections.get(device.devicePk);
    if (previous) previous.close(closeCodes.replaced, 'replaced by a newer connection');
    const connection = new DeviceConnection(
      device,
      socket,
      this.storage,
      this.frameLimiter,
      this.logger,
    );
    this.connections.set(device.devicePk, connection);
    socket.on('close', () => {
      if (this.connections.get(device.devicePk) === connection) {
        this.connections.delete(device.devicePk);
      }
    });
    return connection;
  }

  /** New envelopes were committed for this device: push them if it is connected. */
  notify(devicePk: number): void {
    void this.connections.get(devicePk)?.pump();
  }

  revoke(devicePk: number, wipe: boolean): void {
    const connection = this.connections.get(devicePk);
    if (!connection) return;
    if (wipe) {
      connection.send({ type: 'wipe' });
      connection.close(closeCodes.wipe, 'remote wipe');
    } else {
      connection.close(closeCodes.revoked, 'device revoked');
    }
  }

  /** Pings every socket; one that did not answer the previous ping is dead and is dropped. */
  heartbeat(): void {
    for (const connection of this.connections.values()) {
      if (!connection.alive) {
        connection.socket.terminate();
        continue;
      }
      connection.alive = false;
      connection.socket.ping();
    }
  }

  closeAll(code: number, reason: string): void {
    for (const connection of this.connections.values()) connection.close(code, reason);
  }
}
