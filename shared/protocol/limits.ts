/**
 * Limits of the relay wire protocol v1. They are part of the protocol (docs/protocol.md), so
 * clients can check before sending instead of learning from a 4xx.
 */
export const protocolLimits = {
  /** Largest request body the relay reads, in bytes, for any endpoint. */
  maxBodyBytes: 1_048_576,
  /** Largest decoded ciphertext of one per-device envelope. */
  maxEnvelopeBytes: 65_536,
  /** One-time EC or Kyber prekeys in one request (enrolment or upload), per kind. */
  maxPreKeysPerRequest: 200,
  /** One-time prekeys the relay keeps per device, per kind. */
  maxStoredPreKeys: 1_000,
  /** Device ids are 1..127 and never reused within an account. */
  maxDeviceId: 127,
  /** Envelopes waiting for one device before sends to it are refused with `queue_full`. */
  maxQueuedPerDevice: 10_000,
  /** Envelopes one sending account may have waiting for one device (its share of the queue). */
  maxQueuedPerSender: 1_000,
  /**
   * A sender with fewer envelopes than this waiting for a device is accepted even when the
   * device's queue is at `maxQueuedPerDevice`, so insiders filling a queue cannot silence others.
   */
  queueReservedPerSender: 100,
  /** Envelopes in flight (sent, not acked) on one WebSocket. */
  webSocketWindow: 100,
  /** Largest WebSocket frame a client may send, in bytes. */
  maxClientFrameBytes: 65_536,
  /** Seconds a WebSocket without an Authorization header has to send its `auth` frame. */
  authFrameTimeoutSeconds: 10,
  /** Client message ids: 1..64 characters of [A-Za-z0-9._:-]. */
  maxClientMessageIdLength: 64,
} as const;

export const roles = ['reception', 'clinician', 'nurse', 'pharmacist', 'manager', 'admin'] as const;
export type Role = (typeof roles)[number];

/** libsignal CiphertextMessageType values the relay accepts; it never looks inside. */
export const envelopeTypes = [2, 3, 7, 8] as const;
