import { MessengerError } from '../../../shared/errors.js';
import { normalisePasscode } from './key-derivation.js';

export const MINIMUM_PASSCODE_LENGTH = 6;

/** Counts characters as the user sees them (code points), not UTF-16 units. */
export function assertPasscodeAcceptable(passcode: string): void {
  if ([...normalisePasscode(passcode)].length < MINIMUM_PASSCODE_LENGTH) {
    throw new MessengerError(
      'passcode_too_short',
      `The passcode must be at least ${MINIMUM_PASSCODE_LENGTH} characters long.`,
      { minimum: MINIMUM_PASSCODE_LENGTH },
    );
  }
}
