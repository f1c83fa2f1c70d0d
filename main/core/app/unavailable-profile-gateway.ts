/**
 * Stands in for the profile store until main/core/profile is wired to the shell: no profiles,
 * and creating or unlocking one answers `not_implemented` instead of pretending.
 */
import { MessengerError } from '../../../shared/errors.js';
import type { ProfileGateway } from './profile-gateway.js';

export function unavailableProfileGateway(): ProfileGateway {
  const unavailable = (): never => {
    throw new MessengerError('not_implemented', 'Profiles are not available in this build yet.');
  };
  return {
    list: () => Promise.resolve([]),
    create: () => Promise.resolve().then(unavailable),
    unlock: () => Promise.resolve().then(unavailable),
    delete: () => Promise.resolve().then(unavailable),
  };
}
