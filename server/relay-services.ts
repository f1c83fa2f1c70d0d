import { attachmentLimits, linkCodeLifetimeMs, protocolLimits } from '../shared/protocol/index.js';
import type { BlobStore } from './blobs/blob-store.js';
import type { DeviceAuthCache } from './device-auth-cache.js';
import type { RelayLogger } from './log.js';
import type { RateLimiter } from './rate-limiter.js';
import type { RelayStorage, RemovedBy } from './storage/relay-storage.js';
import type { LinkStore } from './links/link-store.js';
import type { EscalationScheduler } from './roles/escalation-timer.js';
import type { RoleStore } from './roles/role-store.js';
import type { OutgoingEnvelope } from './websocket/envelope-frame.js';

/** The practice audit trail's default retention (see auditRetentionMs). */
export const auditRetentionDefaultDays = 8 * 365 + 2;

export interface RelayLimits {
  maxBodyBytes: number;
  maxQueuedPerDevice: number;
  /** One sending account's share of a recipient device's queue. */
  maxQueuedPerSender: number;
  /** Below this many queued envelopes a sender is accepted even when the queue is full. */
  queueReservedPerSender: number;
  /** Per-token bucket for authenticated HTTP requests. */
  requestBurst: number;
  requestsPerSecond: number;
  /**
   * Per-address bucket for enrolment, failed authentication (token and code guessing),
   * WebSocket upgrades without an Authorization header and failed `auth` frames.
   */
  anonymousBurst: number;
  anonymousPerSecond: number;
  /** Per caller and target account bucket for prekey bundle fetches (each spends a prekey). */
  bundleBurst: number;
  bundlesPerSecond: number;
  /** Per-device bucket for WebSocket frames. */
  frameBurst: number;
  framesPerSecond: number;
  /** Connections not (yet) authenticated, from one address and in total; more are refused. */
  maxPreAuthPerAddress: number;
  maxPreAuthTotal: number;
  /** A request's headers, and the whole request, must arrive within these. */
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  /** How often the relay looks for revocations made by the admin CLI in another process. */
  revocationPollMs: number;
  heartbeatMs: number;
  /** How long a clientMessageId is remembered for duplicate detection. */
  duplicateWindowMs: number;
  /**
   * How long the practice audit trail keeps a record; 0 keeps it for ever. The default, 8 years,
   * is explained in docs/clinical-safety/dpia.md (NHS Records Management Code of Practice 2023).
   */
  auditRetentionMs: number;
  /** An attachment blob is deleted this long after upload even if not every device fetched it. */
  attachmentRetentionMs: number;
  /** How often expired attachment blobs are swept. */
  attachmentSweepMs: number;
  /** Backstop sweep for held escalation copies (the timer also fires at each deadline). */
  escalationSweepMs: number;
  /** Active devices one person may have through linking (docs/protocol.md §2b). */
  maxDevicesPerPerson: number;
  /** How long a link code can be redeemed or wait for approval. */
  linkLifetimeMs: number;
}

export const defaultLimits: RelayLimits = {
  maxBodyBytes: protocolLimits.maxBodyBytes,
  maxQueuedPerDevice: protocolLimits.maxQueuedPerDevice,
  maxQueuedPerSender: protocolLimits.maxQueuedPerSender,
  queueReservedPerSender: protocolLimits.queueReservedPerSender,
  requestBurst: 100,
  requestsPerSecond: 50,
  anonymousBurst: 10,
  anonymousPerSecond: 0.2,
  bundleBurst: 10,
  bundlesPerSecond: 0.05,
  frameBurst: 500,
  framesPerSecond: 200,
  maxPreAuthPerAddress: 128,
  maxPreAuthTotal: 2_048,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  revocationPollMs: 500,
  heartbeatMs: 30_000,
  duplicateWindowMs: 30 * 24 * 3600_000,
  auditRetentionMs: auditRetentionDefaultDays * 24 * 3600_000,
  attachmentRetentionMs: attachmentLimits.maxRetentionSeconds * 1000,
  attachmentSweepMs: 60_000,
  escalationSweepMs: 30_000,
  maxDevicesPerPerson: 5,
  linkLifetimeMs: linkCodeLifetimeMs,
};

/**
 * Told when envelopes were committed for a device, so a connected device gets them at once. The
 * WebSocket side's DeliveryHub implements it; the request handlers know only this.
 */
export interface DeliveryNotifier {
  notify(devicePk: number): void;
  /**
   * This process just committed the envelope (whose store gave its queue position, see
   * QueuedFor.queue): a connected device may be sent it without a queue read.
   */
  deliver(devicePk: number, envelope: OutgoingEnvelope, previousId: number): void;
  /** The device was revoked here: close its socket now (other nodes read revocations). */
  revoke(devicePk: number, wipe: boolean, removedBy?: RemovedBy | null): void;
}

export interface RelayServices {
  storage: RelayStorage;
  /** Attachment ciphertext (docs/protocol.md §5). */
  blobs: BlobStore;
  limits: RelayLimits;
  logger: RelayLogger;
  delivery: DeliveryNotifier;
  /** Bearer token → active device, forgotten on every revocation (device-auth-cache.ts). */
  deviceAuth: DeviceAuthCache;
  /** Prekey bundle fetches, keyed by caller device and target account. */
  bundleLimiter: RateLimiter;
  /** Duty roles, holders and held escalation copies (docs/protocol.md §14). */
  roles: RoleStore;
  /** Link codes of people adding a PC themselves (docs/protocol.md §2b). */
  links: LinkStore;
  escalations: EscalationScheduler;
  /** The relay's clock for duty roles and escalation deadlines (injected in tests). */
  clock: () => number;
}
