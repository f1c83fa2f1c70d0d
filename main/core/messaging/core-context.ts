import type { ProtocolAddress } from '@signalapp/libsignal-client';
import type { SqlDatabase } from '../db/encrypted-database.js';
import type { Repositories } from '../db/repositories/repositories.js';
import type { UndecryptableEnvelopesRepository } from '../db/repositories/undecryptable-envelopes-repository.js';
import type { Logger } from '../log/logger.js';
import type { SignalStores } from '../signal/signal-stores.js';
import type { BackoffOptions } from './backoff.js';
import type { DeviceSessions } from './device-sessions.js';
import type { MessagingEvent, MessagingEvents } from './messaging-events.js';
import type { MessagingQueries } from './messaging-queries.js';
import type { RelayAccount } from './relay-account.js';
import type { RelayHttp } from './relay/relay-http.js';

/** Knobs with production defaults; tests shorten the waits. */
export interface MessagingTuning {
  readonly outboxBackoff: BackoffOptions;
  readonly socketBackoff: BackoffOptions;
  readonly heartbeatMs: number;
  /** PUT requests in flight at once (the relay group-commits concurrent sends). */
  readonly sendConcurrency: number;
  /** Outbox items taken per pass. */
  readonly sendBatch: number;
  /** Envelopes decrypted and stored per transaction. */
  readonly receiveBatch: number;
  readonly preKeyThreshold: number;
  readonly preKeyBatch: number;
  readonly signedPreKeyRotationMs: number;
  /** Old signed prekeys are kept this long after rotation for messages still in flight. */
  readonly signedPreKeyKeepMs: number;
  /** A message that could not be sent for this long is marked failed. */
  readonly giveUpAfterMs: number;
  readonly httpTimeoutMs: number;
}

export const defaultTuning: MessagingTuning = {
  outboxBackoff: { initialMs: 1_000, maxMs: 60_000 },
  socketBackoff: { initialMs: 500, maxMs: 30_000 },
  heartbeatMs: 20_000,
  sendConcurrency: 16,
  sendBatch: 256,
  // Half the relay's window of unacked envelopes (protocol limits): while one batch is decrypted
  // and committed, the relay already sends the next into the other half instead of waiting.
  receiveBatch: 50,
  preKeyThreshold: 20,
  preKeyBatch: 100,
  signedPreKeyRotationMs: 7 * 24 * 3600_000,
  signedPreKeyKeepMs: 30 * 24 * 3600_000,
  giveUpAfterMs: 24 * 3600_000,
  httpTimeoutMs: 15_000,
};

/** What the parts of one profile's messaging core share. */
export interface CoreContext {
  readonly db: SqlDatabase;
  readonly repos: Repositories;
  readonly undecryptable: UndecryptableEnvelopesRepository;
  readonly queries: MessagingQueries;
  readonly stores: SignalStores;
  readonly account: RelayAccount;
  readonly local: ProtocolAddress;
  readonly http: RelayHttp;
  readonly sessions: DeviceSessions;
  readonly events: MessagingEvents;
  readonly logger: Logger;
  readonly now: () => number;
  readonly tuning: MessagingTuning;
  /**
   * The person's other devices (own-device-sync.ts): `known` once the relay listed them (at
   * connect); `siblings` as listed then, plus any that sent us something since.
   */
  readonly ownDevices: { known: boolean; readonly siblings: Set<number> };
  /** One write transaction in the core's queue (async work allowed, e.g. libsignal calls). */
  tx<T>(work: () => Promise<T>): Promise<T>;
  /** Like tx, then emits the collected events once the transaction has committed. */
  txEmit<T>(work: (emit: (event: MessagingEvent) => void) => Promise<T>): Promise<T>;
  /** The relay refused this device for good (revoked, wiped). */
  fatal(reason: 'revoked' | 'wipe' | 'unauthorized'): void;
  /** Something was queued: send soon. */
  kickOutbox(): void;
  /** An attachment waits to be uploaded or downloaded. */
  kickAttachments(): void;
}
