import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { closeCodes, protocolLimits } from '../shared/protocol/index.js';
import {
  issueEnrolmentCode,
  revokeAccess,
  type EnrolTarget,
  type IssuedEnrolmentCode,
} from './admin.js';
import { createRelayLogger, type LogLevel, type RelayLogger } from './log.js';
import { PreAuthGate } from './preauth-gate.js';
import { RateLimiter } from './rate-limiter.js';
import { defaultLimits, type RelayLimits, type RelayServices } from './relay-services.js';
import type { RelayStorage, RemovedBy, RevokedDevice } from './storage/relay-storage.js';
import { SqliteRelayStorage, type SqliteOptions } from './storage/sqlite-relay-storage.js';
import { PostgresRelayStorage, type PostgresOptions } from './storage/postgres-relay-storage.js';
import { storageFailureKind } from './storage/storage-failure.js';
import type { BlobStore } from './blobs/blob-store.js';
import { FileBlobStore } from './blobs/file-blob-store.js';
import { PostgresBlobStore } from './blobs/postgres-blob-store.js';
import { DeliveryHub } from './websocket/delivery-hub.js';
import { handleRequest } from './http/handle-request.js';
import { handleUpgrade } from './websocket/handle-upgrade.js';
import { describeError } from '../shared/describe-error.js';
import { EscalationTimer } from './roles/escalation-timer.js';
import { RoleStore } from './roles/role-store.js';
import { LinkStore } from './links/link-store.js';
import { DeviceAuthCache } from './device-auth-cache.js';
import type { OutgoingEnvelope } from './websocket/envelope-frame.js';

export interface RelayOptions {
  /** Directory of the embedded SQLite store; ignored when `databaseUrl` or `storage` is given. */
  dataDir: string;
  /** postgres://… : serve this PostgreSQL database (created or upgraded) instead of SQLite. */
  databaseUrl?: string;
  postgres?: Omit<PostgresOptions, 'migrate' | 'onError'>;
  host?: string;
  /** 0 picks any free port. */
  port?: number;
  /** PEM certificate chain and private key: serve HTTPS/WSS instead of HTTP/WS. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  limits?: Partial<RelayLimits>;
  logger?: RelayLogger;
  logLevel?: LogLevel;
  storage?: RelayStorage;
  sqlite?: SqliteOptions;
  /** The clock of duty roles and escalation deadlines (tests inject one; default Date.now). */
  clock?: () => number;
}

export interface RunningRelay {
  /** e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  port: number;
  storage: RelayStorage;
  /** Duty roles of this relay's store (docs/protocol.md §14). */
  roles: RoleStore;
  /** Releases the escalation copies due now (the timer does this by itself). */
  sweepEscalations(): Promise<void>;
  /** Issues a one-time enrolment code, as `pmsg relay enrol` does. */
  enrol(target: EnrolTarget, lifetimeHours?: number): Promise<IssuedEnrolmentCode>;
  /** Revokes an account or one device; open sockets are closed at once. Wipe by default. */
  revoke(
    accountId: string,
    options?: { deviceId?: number; wipe?: boolean },
  ): Promise<RevokedDevice[]>;
  /**
   * Serves a new certificate and key to new connections (open ones keep theirs); throws, keeping
   * the old pair, when the pair does not load or the relay serves plain HTTP.
   */
  setTls(tls: { cert: string | Buffer; key: string | Buffer }): void;
  /** Stops accepting, closes sockets (1001), lets running requests finish, closes storage. */
  close(): Promise<void>;
}

export async function startRelay(options: RelayOptions): Promise<RunningRelay> {
  const limits: RelayLimits = { ...defaultLimits, ...options.limits };
  const logger = options.logger ?? createRelayLogger(options.logLevel ?? 'info');
  // The relay's own writes must never wait on the event loop for another process's lock: a short
  // busy timeout, then asynchronous retries (sqlite-relay-storage.ts).
  const storage: RelayStorage =
    options.storage ??
    (options.databaseUrl === undefined
      ? new SqliteRelayStorage(options.dataDir, { busyTimeoutMs: 10, ...options.sqlite })
      : await PostgresRelayStorage.open(options.databaseUrl, {
          ...options.postgres,
          migrate: true,
          onError: (error) =>
            logger.warn('database_connection_error', {
              kind: storageFailureKind(error) ?? 'unknown',
            }),
        }));
  // Rate limiters are per node: with N nodes behind a balancer a client may get up to N times
  // the configured rate (docs/deployment.md). Queue caps are counted in the store, so they hold.
  const frameLimiter = new RateLimiter(limits.frameBurst, limits.framesPerSecond);
  const hub = new DeliveryHub(storage, frameLimiter, logger);
  const bundleLimiter = new RateLimiter(limits.bundleBurst, limits.bundlesPerSecond);
  // On PostgreSQL the attachment chunks live in the database too, so every node serves them.
  const blobs: BlobStore =
    storage instanceof PostgresRelayStorage
      ? new PostgresBlobStore(
          storage.openPool(4, (error) =>
            logger.warn('database_connection_error', {
              kind: storageFailureKind(error) ?? 'unknown',
            }),
          ),
        )
      : new FileBlobStore(options.dataDir);
  const clock = options.clock ?? Date.now;
  const roles = RoleStore.for(storage);
  const links = LinkStore.for(storage);
  const escalations = new EscalationTimer(
    roles,
    hub,
    logger,
    clock,
    limits.escalationSweepMs,
    limits,
  );
  const deviceAuth = new DeviceAuthCache();
  // A revocation made by this process forgets the device's token before the request returns.
  const delivery = {
    notify: (devicePk: number) => hub.notify(devicePk),
    deliver: (devicePk: number, envelope: OutgoingEnvelope, previousId: number) =>
      hub.deliver(devicePk, envelope, previousId),
    revoke: (devicePk: number, wipe: boolean, removedBy?: RemovedBy | null) => {
      deviceAuth.forget(devicePk);
      hub.revoke(devicePk, wipe, removedBy ?? null);
    },
  };
  const services: RelayServices = {
    storage,
    blobs,
    limits,
    logger,
    delivery,
    deviceAuth,
    bundleLimiter,
    roles,
    links,
    escalations,
    clock,
  };
  const requestLimiter = new RateLimiter(limits.requestBurst, limits.requestsPerSecond);
  const anonymousLimiter = new RateLimiter(limits.anonymousBurst, limits.anonymousPerSecond);
  const gate = new PreAuthGate(limits, logger, options.tls !== undefined);
  const state = { closing: false };

  const onRequest = (req: IncomingMessage, res: ServerResponse) =>
    void handleRequest(services, { requestLimiter, anonymousLimiter, gate, state }, req, res);
  // Node checks the header and request timeouts only every connectionsCheckingInterval (30 s by
  // default), which would let a slow client hold a socket for up to 30 s past its limit.
  const serverOptions = {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
  };
  const server = options.tls
    ? createHttpsServer(
        {
          ...serverOptions,
          // The TLS handshake comes before the header timeout starts; bound it the same way.
          handshakeTimeout: limits.headersTimeoutMs,
          cert: options.tls.cert,
          key: options.tls.key,
        },
        onRequest,
      )
    : createHttpServer(serverOptions, onRequest);
  server.on('connection', (socket: Socket) => gate.admit(socket));
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: protocolLimits.maxClientFrameBytes,
  });
  server.on(
    'upgrade',
    (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      void handleUpgrade(services, { wss, hub, anonymousLimiter, gate, state }, req, socket, head),
  );
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (!socket.writable) return;
    // Node names header and request timeouts in the error; answer those with 408.
    const timedOut = error.code === 'ERR_HTTP_REQUEST_TIMEOUT';
    socket.end(
      timedOut
        ? 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n'
        : 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n',
    );
  });

  const pruneAudit = async () => {
    if (limits.auditRetentionMs <= 0) return;
    const removed = await storage.pruneAudit(Date.now() - limits.auditRetentionMs);
    if (removed > 0) logger.info('audit_records_expired', { count: removed });
  };
  // Revocations may come from the admin CLI or another node, which cannot reach our sockets:
  // NOTIFY wakes the reader at once where the store has it; the poll is the backstop.
  let revocationSeq = await latestRevocationSeq(storage);
  const readRevocations = async () => {
    try {
      const { seq, devices } = await storage.revocationsSince(revocationSeq);
      revocationSeq = seq;
      for (const device of devices) {
        logger.info('device_revoked', {
          accountId: device.accountId,
          deviceId: device.deviceId,
          wipe: device.wipe,
        });
        delivery.revoke(device.devicePk, device.wipe, device.removedBy);
      }
    } catch (error) {
      logger.error('revocation_poll_failed', { error: describeError(error) });
    }
  };
  // One read at a time; a call during a read queues one more (which starts after the read, so it
  // sees every revocation committed before the call), and calls while it waits share it.
  let lastRead: Promise<void> = Promise.resolve();
  let waitingRead: Promise<void> | null = null;
  const pollRevocations = (): Promise<void> => {
    if (waitingRead) return waitingRead;
    const next = lastRead.then(() => {
      waitingRead = null;
      return readRevocations();
    });
    waitingRead = next;
    lastRead = next;
    return next;
  };
  await storage.cluster?.listen({
    queued: (devicePks) => {
      for (const devicePk of devicePks) hub.notify(devicePk);
    },
    revoked: () => void pollRevocations(),
    connected: (devicePk, order) => hub.connectedElsewhere(devicePk, order),
    resynchronise: () => {
      logger.info('cluster_resynchronised', {});
      deviceAuth.clear();
      hub.notifyAll();
      void pollRevocations();
    },
  });
  const timers = [
    setInterval(() => void pollRevocations(), limits.revocationPollMs),
    setInterval(() => hub.heartbeat(), limits.heartbeatMs),
    setInterval(() => {
      requestLimiter.sweep();
      anonymousLimiter.sweep();
      frameLimiter.sweep();
      bundleLimiter.sweep();
      gate.sweep();
    }, 60_000),
    setInterval(
      () => void storage.pruneSentLog(Date.now() - limits.duplicateWindowMs).catch(() => undefined),
      3600_000,
    ),
    setInterval(() => void pruneAudit().catch(() => undefined), 3600_000),
    // Link codes are kept a day past their expiry (a late poll still gets a clear answer).
    setInterval(
      () => void links.prune(Date.now() - 24 * 3600_000).catch(() => undefined),
      3600_000,
    ),
    // Retention of attachment blobs: gone at their expiry even if a device never fetched them.
    setInterval(
      () => void blobs.sweep(Date.now()).catch(() => undefined),
      limits.attachmentSweepMs,
    ),
  ];
  for (const timer of timers) timer.unref();
  await storage.pruneSentLog(Date.now() - limits.duplicateWindowMs);
  await pruneAudit();
  await blobs.sweep(Date.now());
  // What fell due while the relay was down goes out now.
  await escalations.start();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `${options.tls ? 'https' : 'http'}://${host}:${address.port}`;
  logger.info('listening', { url });

  let closed: Promise<void> | null = null;
  return {
    url,
    port: address.port,
    storage,
    roles,
    sweepEscalations: () => escalations.sweep(),
    enrol: (target, lifetimeHours) => issueEnrolmentCode(storage, target, lifetimeHours),
    setTls(tls) {
      if (!('setSecureContext' in server)) throw new Error('the relay serves plain HTTP');
      server.setSecureContext({ cert: tls.cert, key: tls.key });
    },
    async revoke(accountId, revokeOptions) {
      const devices = await revokeAccess(storage, accountId, revokeOptions);
      for (const device of devices) deviceAuth.forget(device.devicePk);
      await pollRevocations();
      return devices;
    },
    close() {
      closed ??= (async () => {
        state.closing = true;
        for (const timer of timers) clearInterval(timer);
        escalations.stop();
        hub.closeAll(closeCodes.goingAway, 'relay shutting down');
        // Sockets not (or no longer) in the hub, e.g. still waiting for their auth frame, would
        // otherwise keep server.close() waiting for ever.
        for (const ws of wss.clients) ws.close(closeCodes.goingAway, 'relay shutting down');
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        // Requests still running get a moment to finish; then their connections are cut.
        const grace = setTimeout(() => server.closeAllConnections(), 5_000);
        await stopped;
        clearTimeout(grace);
        wss.close();
        await blobs.close();
        await storage.close();
        logger.info('stopped');
      })();
      return closed;
    },
  };
}

async function latestRevocationSeq(storage: RelayStorage): Promise<number> {
  // Revocations made before this start concern no socket of ours; start from the newest.
  let seq = 0;
  for (;;) {
    const next = await storage.revocationsSince(seq);
    if (next.seq === seq) return seq;
    seq = next.seq;
  }
}
