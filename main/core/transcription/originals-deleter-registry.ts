import type { OriginalsDeleter } from './originals-deleter.js';

/**
 * Which delete-for-everyone implementation serves an open profile: the messaging core registers
 * itself when it starts on a profile and unregisters when it stops, and transcription looks it up
 * at the moment it needs it. Keyed weakly by the profile object, so a closed profile's entry goes
 * with it.
 */
const deleters = new WeakMap<object, OriginalsDeleter>();

export function registerOriginalsDeleter(profile: object, deleter: OriginalsDeleter): () => void {
  deleters.set(profile, deleter);
  return () => {
    if (deleters.get(profile) === deleter) deleters.delete(profile);
  };
}

export function originalsDeleterFor(profile: object): OriginalsDeleter | null {
  return deleters.get(profile) ?? null;
}
