import { MessengerError } from '../../../shared/errors.js';
import { RelayRequestError } from './relay/relay-http.js';

/** Relay errors as the typed errors that cross IPC and the CLI. */
export function toMessengerError(error: unknown): unknown {
  if (!(error instanceof RelayRequestError)) return error;
  if (error.code === 'not_found')
    return new MessengerError('not_found', 'That person is not in your practice directory.');
  if (error.code === 'rate_limited')
    return new MessengerError('rate_limited', 'The relay is busy; try again in a moment.');
  if (error.code === 'device_revoked' || error.code === 'unauthorized') {
    return new MessengerError(
      'unauthorized',
      'The relay no longer accepts this device. Ask your practice manager to enrol it again.',
    );
  }
  if (error.code === 'remote_wipe')
    return new MessengerError(
      'forbidden',
      'This device was revoked with remote wipe; its profile must be erased.',
      // Who removed it, when the person did from another of their devices (protocol §2a).
      error.details['removedBy'] === undefined
        ? { reason: 'remote_wipe' }
        : { reason: 'remote_wipe', removedBy: error.details['removedBy'] },
    );
  return new MessengerError('network', error.message);
}

/** The relay refused this device for good: the error a caller waiting on the core gets. */
export function refusalError(reason: 'revoked' | 'wipe' | 'unauthorized' | 'replaced'): unknown {
  const code =
    reason === 'wipe' ? 'remote_wipe' : reason === 'revoked' ? 'device_revoked' : 'unauthorized';
  return toMessengerError(
    new RelayRequestError(
      reason === 'wipe' ? 403 : 401,
      code,
      'The relay stopped accepting this device.',
    ),
  );
}

/**
 * What the user is told when the relay closed this connection because another one opened with
 * the same token (close 4000): someone else holds this profile's credentials, or the profile is
 * open twice. The client stops instead of reconnecting, which would only fight the other device.
 */
export const replacedExplanation =
  "Another device is using this profile's credentials: the relay connected it and disconnected " +
  'this one, so messages now go there, not here. If that is not you (another window or computer ' +
  'with this profile open), tell your practice manager at once so the device can be revoked. To ' +
  'receive here again, close the other one, then lock and unlock.';
