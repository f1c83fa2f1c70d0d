import { describe, expect, it } from 'vitest';
import { auditTimeBounds } from '../../renderer/src/logic/audit-time-bounds.js';

// The practice audit's From and To days as the request's bounds, in this PC's time zone.

describe('the practice audit date filter', () => {
  it('runs from the first moment of "from" to the end of "to", both days included', () => {
    expect(auditTimeBounds({ from: '2026-11-30', to: '2026-12-01' })).toEqual({
      sinceAt: new Date(2026, 10, 30).getTime(),
      untilAt: new Date(2026, 11, 2).getTime(),
    });
    // One day: from its midnight to the next.
    const day = auditTimeBounds({ from: '2026-03-29', to: '2026-03-29' });
    expect(day.sinceAt).toBe(new Date(2026, 2, 29, 0, 0).getTime());
    expect(day.untilAt).toBe(new Date(2026, 2, 30, 0, 0).getTime());
    // Across a month's end.
    expect(auditTimeBounds({ from: '', to: '2026-01-31' })).toEqual({
      untilAt: new Date(2026, 1, 1).getTime(),
    });
  });

  it('leaves out a bound that is empty or not a day', () => {
    expect(auditTimeBounds({ from: '', to: '' })).toEqual({});
    expect(auditTimeBounds({ from: '30/11/2026', to: 'tomorrow' })).toEqual({});
  });
});
