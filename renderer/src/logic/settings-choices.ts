/**
 * The settings screen's own rules: which lock timeouts to offer under the practice's maximum,
 * and what is wrong with a passcode change before it goes to main (main checks the rest, such as
 * the minimum length and the current passcode).
 */

const timeoutChoices = [1, 2, 5, 10, 15, 30, 60];

/** The usual choices up to the policy's maximum, and the maximum itself even if unusual. */
export function lockTimeoutChoices(policyMaxMinutes: number): number[] {
  const offered = timeoutChoices.filter((m) => m <= policyMaxMinutes);
  if (!offered.includes(policyMaxMinutes)) offered.push(policyMaxMinutes);
  return offered;
}

export function passcodeChangeProblem(current: string, next: string, again: string): string | null {
  if (current === '' || next === '') return 'Enter your current passcode and a new one.';
  if (next !== again) return 'The two new passcodes are different. Type them again.';
  return null;
}
