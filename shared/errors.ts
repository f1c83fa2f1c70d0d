/**
 * Typed error codes that cross process boundaries (IPC, CLI exit messages, relay error bodies).
 * Add a code here when a caller can act on it differently from the others.
 */
export const errorCodes = [
  'invalid_input',
  'invalid_passcode',
  'passcode_too_short',
  'too_many_attempts',
  'keychain_unavailable',
  'keychain_entry_missing',
  'profile_not_found',
  'profile_exists',
  'profile_locked',
  'database_corrupt',
  'migration_refused',
  'not_found',
  'conflict',
  'unauthorized',
  'forbidden',
  'rate_limited',
  'network',
  'internal',
  // The contract defines the method but the core behind it is not wired in yet.
  'not_implemented',
  // The managed policy file is unreadable or invalid: the app refuses to start (fail closed).
  'policy_invalid',
  // The renderer asked for something the managed policy does not allow.
  'policy_restricted',
  // An administrator revoked this device with remote wipe: its profile has been erased here.
  'device_wiped',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

export class MessengerError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
    this.name = 'MessengerError';
  }
}

export function isMessengerError(value: unknown, code?: ErrorCode): value is MessengerError {
  return value instanceof MessengerError && (code === undefined || value.code === code);
}

/** For exhaustive switches: the compiler proves this is unreachable. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`Unexpected ${what}: ${JSON.stringify(value)}`);
}
