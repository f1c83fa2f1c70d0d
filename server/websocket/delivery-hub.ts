import type { WebSocket } from 'ws';
import { closeCodes } from '../../shared/protocol/index.js';
import type { RelayLogger } from '../log.js';
import type { RateLimiter } from '../rate-limiter.js';
import type { DeliveryNotifier } from '../relay-services.js';
import { wipeFrameDetails } from '../authenticate.js';
import type {
  DeviceRecord,
  RelayStorage,
  RemovedBy,
  StorageCluster,
} from '../storage/relay-storage.js';
import { storageFailureKind } from '../storage/storage-failure.js';
import { DeviceConnection } from './device-connection.js';
import type { OutgoingEnvelope } from './envelope-frame.js';

/**
 * The open device sockets of this relay process, at most one per device. With several nodes on
 * one store (storage.cluster), at most one per device across all of them: each connection is
 * announced, and the one announced earlier is closed with 4000 wherever it is, as a second
 * connection to one node replaces the first.
 */
export class DeliveryHub implements DeliveryNotifier {
  private readonly connections = new Map<number, DeviceConnection>();
  /** Store-wide order of this node's connections, once announced. */
  private readonly order = new WeakMap<DeviceConnection, number>();
  /** Newest order announced elsewhere for a connection whose own order is not known yet. */
  private readonly newerElsewhere = new WeakMap<DeviceConnection, number>();

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
    if (this.storage.cluster) this.announce(connection, this.storage.cluster);
    return connection;
  }

  private announce(connection: DeviceConnection, cluster: StorageCluster): void {
    cluster.announceConnection(connection.device.devicePk).then(
      (order) => {
        this.order.set(connection, order);
        const newer = this.newerElsewhere.get(connection);
        if (newer !== undefined && newer > order) this.replace(connection);
      },
      (error: unknown) => {
        // Other nodes then keep an older socket of this device until it drops; delivery to
        // both stays correct (each reads the same queue), only the 4000 is missed.
        this.logger.warn('ws_announce_failed', {
          deviceId: connection.device.deviceId,
          kind: storageFailureKind(error) ?? 'unknown',
        });
      },
    );
  }

  /** The device connected to another node, as the `order`-th connection store-wide. */
  connectedElsewhere(devicePk: number, order: number): void {
    const connection = this.connections.get(devicePk);
    if (!connection) return;
    const own = this.order.get(connection);
    if (own === undefined) {
      this.newerElsewhere.set(
        connection,
        Math.max(order, this.newerElsewhere.get(connection) ?? 0),
      );
    } else if (own < order) {
      this.replace(connection);
    }
  }

  private replace(connection: DeviceConnection): void {
    if (this.connections.get(connection.device.devicePk) === connection) {
      this.connections.delete(connection.device.devicePk);
    }
    connection.close(closeCodes.replaced, 'replaced by a newer connection');
  }

  /** New envelopes were committed for this device: push them if it is connected. */
  notify(devicePk: number): void {
    void this.connections.get(devicePk)?.pump();
  }

  /** This process committed the envelope for the device: send it if the device is connected. */
  deliver(devicePk: number, envelope: OutgoingEnvelope, previousId: number): void {
    this.connections.get(devicePk)?.offer(envelope, previousId);
  }

  /** After missed cluster events: look at every connected device's queue again. */
  notifyAll(): void {
    for (const connection of this.connections.values()) void connection.pump();
  }

  revoke(devicePk: number, wipe: boolean, removedBy: RemovedBy | null = null): void {
    const connection = this.connections.get(devicePk);
    if (!connection) return;
    if (wipe) {
      connection.send({ type: 'wipe', ...wipeFrameDetails(connection.device, removedBy) });
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
