// The settings screen's rules, moved out of SettingsDialog: lock timeouts under the practice's
// maximum, and the passcode-change mistakes caught before main is asked.
import { describe, expect, it } from 'vitest';
import {
  lockTimeoutChoices,
  passcodeChangeProblem,
} from '../../renderer/src/logic/settings-choices.js';

describe('lockTimeoutChoices', () => {
  it('offers the usual choices up to the maximum', () => {
    expect(lockTimeoutChoices(15)).toEqual([1, 2, 5, 10, 15]);
    expect(lockTimeoutChoices(60)).toEqual([1, 2, 5, 10, 15, 30, 60]);
  });

  it('adds an unusual maximum so the policy value can be chosen', () => {
    expect(lockTimeoutChoices(7)).toEqual([1, 2, 5, 7]);
    expect(lockTimeoutChoices(90)).toEqual([1, 2, 5, 10, 15, 30, 60, 90]);
  });
});

describe('passcodeChangeProblem', () => {
  it('asks for both passcodes first', () => {
    expect(passcodeChangeProblem('', 'new-one', 'new-one')).toMatch(/current passcode and a new/);
    expect(passcodeChangeProblem('old-one', '', '')).toMatch(/current passcode and a new/);
  });

  it('catches a mistyped repeat, and leaves the rest to main', () => {
    expect(passcodeChangeProblem('old-one', 'new-one', 'new-onf')).toMatch(/are different/);
    expect(passcodeChangeProblem('old-one', 'new-one', 'new-one')).toBeNull();
    // Length is main's rule (and its message), not repeated here.
    expect(passcodeChangeProblem('old-one', 'abc', 'abc')).toBeNull();
  });
});
