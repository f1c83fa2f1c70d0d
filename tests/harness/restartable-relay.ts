/**
 * The harness's relay, which a test can stop and start again to stage a relay outage. It comes
 * back on the same port and data folder: clients reconnect to the URL they enrolled with, and
 * their accounts and the envelopes queued for them are still there, as after a real restart.
 */
import { startRelay, type RelayOptions, type RunningRelay } from '../../server/relay.js';

export interface RestartableRelay extends RunningRelay {
  readonly running: boolean;
  /** Closes the relay (sockets closed with 1001, like a relay going down); idempotent. */
  stop(): Promise<void>;
  /** Starts it again where it was; idempotent. */
  start(): Promise<void>;
}

export async function startRestartableRelay(
  options: Omit<RelayOptions, 'storage'>,
): Promise<RestartableRelay> {
  let current: RunningRelay | null = await startRelay(options);
  const { url, port } = current;
  // One change at a time: a start must not race the close that frees the port.
  let change: Promise<void> = Promise.resolve();
  const serially = (step: () => Promise<void>) => (change = change.then(step, step));
  const live = (): RunningRelay => {
    if (!current) throw new Error('The relay is stopped (a staged outage): start it first.');
    return current;
  };
  const stop = () =>
    serially(async () => {
      const relay = current;
      current = null;
      await relay?.close();
    });
  return {
    url,
    port,
    get storage() {
      return live().storage;
    },
    get roles() {
      return live().roles;
    },
    sweepEscalations: () => live().sweepEscalations(),
    get running() {
      return current !== null;
    },
    enrol: (target, lifetimeHours) => live().enrol(target, lifetimeHours),
    revoke: (accountId, revokeOptions) => live().revoke(accountId, revokeOptions),
    setTls: (tls) => live().setTls(tls),
    stop,
    start: () =>
      serially(async () => {
        current ??= await startRelay({ ...options, port });
      }),
    close: stop,
  };
}
