import type { RelayLogger } from './log.js';
import type { RelayStorage } from './storage/relay-storage.js';
import type { DeliveryHub } from './websocket/delivery-hub.js';

export interface RelayLimits {
  maxBodyBytes: number;
  maxQueuedPerDevice: number;
  /** Per-token bucket for authenticated HTTP requests. */
  requestBurst: number;
  requestsPerSecond: number;
  /** Per-address bucket for enrolment and for failed authentication (code guessing). */
  anonymousBurst: number;
  anonymousPerSecond: number;
  /** Per-device bucket for WebSocket frames. */
  frameBurst: number;
  framesPerSecond: number;
  /** How often the relay looks for revocations made by the admin CLI in another process. */
  revocationPollMs: number;
  heartbeatMs: number;
  /** How long a clientMessageId is remembered for duplicate detection. */
  duplicateWindowMs: number;
}

export const defaultLimits: RelayLimits = {
  maxBodyBytes: 1_048_576,
  maxQueuedPerDevice: 10_000,
  requestBurst: 100,
  requestsPerSecond: 50,
  anonymousBurst: 10,
  anonymousPerSecond: 0.2,
  frameBurst: 500,
  framesPerSecond: 200,
  revocationPollMs: 500,
  heartbeatMs: 30_000,
  duplicateWindowMs: 30 * 24 * 3600_000,
};

export interface RelayServices {
  storage: RelayStorage;
  limits: RelayLimits;
  logger: RelayLogger;
  hub: DeliveryHub;
}
