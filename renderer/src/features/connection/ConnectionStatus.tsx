/** The top bar's connection line: connected, connecting, offline, or refused by the relay. */
import type { Connection } from './useConnectionStatus.js';

const connectionText: Record<Connection, string> = {
  online: 'Connected',
  connecting: 'Connecting…',
  offline: 'Offline: messages will send when the connection is back',
};

interface Props {
  connection: Connection | null;
  /** Why the relay refused this device, or null. */
  stopped: string | null;
}

export function ConnectionStatus({ connection, stopped }: Props) {
  if (stopped) {
    return (
      <span className="connection connection-offline connection-down" role="status">
        {stopped === 'replaced'
          ? 'Disconnected: another device is using this profile'
          : 'Not connected: see the message below'}
      </span>
    );
  }
  return (
    connection && (
      <span
        className={`connection connection-${connection}${connection === 'online' ? '' : ' connection-down'}`}
        role="status"
      >
        <span className="connection-dot" aria-hidden="true" />
        {connectionText[connection]}
      </span>
    )
  );
}
