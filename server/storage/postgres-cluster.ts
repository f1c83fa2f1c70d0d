import pg from 'pg';
import type { ClusterEvents, StorageCluster } from './relay-storage.js';
import { queuedChannel } from './postgres-enqueue.js';
import { revokedChannel } from './postgres-writes.js';

const connectedChannel = 'pmsg_connected';

/**
 * LISTEN/NOTIFY between relay nodes on one PostgreSQL database. NOTIFY is sent by the writing
 * transaction and delivered only when it commits, so a node never pushes an envelope that could
 * still roll back. One dedicated connection per node listens; if it breaks it is reopened and
 * the node is told to resynchronise (pump every socket, re-read revocations), because
 * notifications sent meanwhile are lost.
 */
export class PostgresCluster implements StorageCluster {
  private listener: pg.Client | null = null;
  private events: ClusterEvents | null = null;
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly pool: pg.Pool,
    /** Random per process: a node ignores its own notifications. */
    readonly nodeId: string,
    private readonly onError: (error: unknown) => void,
  ) {}

  async listen(events: ClusterEvents): Promise<void> {
    this.events = events;
    await this.connect();
  }

  private async connect(): Promise<void> {
    const client = new pg.Client(this.config);
    client.on('error', (error) => {
      this.onError(error);
      this.reopen(client);
    });
    client.on('end', () => this.reopen(client));
    client.on('notification', (message) => this.dispatch(message.channel, message.payload ?? ''));
    await client.connect();
    await client.query(
      `LISTEN ${queuedChannel}; LISTEN ${revokedChannel}; LISTEN ${connectedChannel}`,
    );
    this.listener = client;
  }

  private reopen(client: pg.Client): void {
    if (this.closed || this.listener !== client) return;
    this.listener = null;
    void client.end().catch(() => undefined);
    const retry = (wait: number) => {
      this.reconnectTimer = setTimeout(() => {
        this.reconnectTimer = null;
        if (this.closed) return;
        this.connect().then(
          () => this.events?.resynchronise(),
          (error: unknown) => {
            this.onError(error);
            retry(Math.min(wait * 2, 5_000));
          },
        );
      }, wait);
      this.reconnectTimer.unref();
    };
    retry(100);
  }

  private dispatch(channel: string, payload: string): void {
    const events = this.events;
    if (!events) return;
    if (channel === revokedChannel) {
      events.revoked();
      return;
    }
    const [node, rest = '', order] = payload.split(':');
    if (node === this.nodeId) return;
    if (channel === queuedChannel) {
      events.queued(rest.split(',').map(Number).filter(Number.isSafeInteger));
    } else if (channel === connectedChannel) {
      events.connected(Number(rest), Number(order));
    }
  }

  async announceConnection(devicePk: number): Promise<number> {
    const result = await this.pool.query<{ seq: number }>(
      `SELECT seq, pg_notify($1, $2 || ':' || $3 || ':' || seq)
         FROM (SELECT nextval('connection_seq') AS seq) AS s`,
      [connectedChannel, this.nodeId, String(devicePk)],
    );
    return result.rows[0]!.seq;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const listener = this.listener;
    this.listener = null;
    await listener?.end().catch(() => undefined);
  }
}
