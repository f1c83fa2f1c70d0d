/**
 * The relay connection as main reports it, and whether the relay refused this device. Once
 * refused, "messages will send when the connection is back" would be untrue, so the status says
 * so instead. A wipe is App's to show (the messenger is about to go); other refusals leave the
 * user here, no longer receiving, and main's message (to `onRefused`) says what to do. Events only
 * say changes, so the state at unlock comes from `account.get` (`seed`), unless an event came first.
 */
import { useCallback, useState } from 'react';
import type { EventPayload } from '../../../../shared/ipc/contract.js';
import { useMessengerEvent } from '../../api.js';

export type Connection = EventPayload<'connection.changed'>['state'];

export function useConnectionStatus(onRefused: (message: string) => void) {
  const [connection, setConnection] = useState<Connection | null>(null);
  const [stopped, setStopped] = useState<string | null>(null);
  useMessengerEvent('connection.changed', ({ state }) => setConnection(state));
  const seed = useCallback(
    (state: Connection | null) => setConnection((current) => current ?? state),
    [],
  );
  useMessengerEvent('account.stopped', ({ reason, message }) => {
    if (reason === 'wiped') return;
    onRefused(message);
    setStopped(reason);
  });
  return { connection, stopped, seed };
}
