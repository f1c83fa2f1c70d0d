import { describe, expect, it } from 'vitest';
import { disappearingChoices } from '../../shared/ipc/conversation-action-schemas.js';
import { disappearingLabel } from '../../renderer/src/logic/disappearing-label.js';

describe('disappearingLabel', () => {
  it('names every choice the app offers, and Off', () => {
    expect(disappearingChoices.map(disappearingLabel)).toEqual([
      'Off',
      '1 hour',
      '1 day',
      '7 days',
      '4 weeks',
    ]);
    expect(disappearingLabel(null)).toBe('Off');
    expect(disappearingLabel(undefined)).toBe('Off');
  });

  it('names a timer set elsewhere (the CLI takes any seconds) in whole units', () => {
    expect(disappearingLabel(3 * 86_400)).toBe('3 days');
    expect(disappearingLabel(5 * 3600)).toBe('5 hours');
    expect(disappearingLabel(90)).toBe('2 minutes');
  });
});
