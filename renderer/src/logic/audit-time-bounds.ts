/**
 * The practice audit's date filter as the request's bounds: the days a date input gives
 * (yyyy-mm-dd) in this PC's time zone, "from" from its first moment, "to" up to its end.
 */

/** Local midnight at the start of a yyyy-mm-dd day, plus `days`; undefined for ''. */
function dayStart(day: string, days = 0): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return undefined;
  return new Date(+match[1]!, +match[2]! - 1, +match[3]! + days).getTime();
}

/** The request's bounds: from the start of "from" up to the end of "to" (inclusive days). */
export function auditTimeBounds(filter: { from: string; to: string }): {
  sinceAt?: number;
  untilAt?: number;
} {
  const sinceAt = dayStart(filter.from);
  const untilAt = dayStart(filter.to, 1);
  return {
    ...(sinceAt === undefined || sinceAt < 0 ? {} : { sinceAt }),
    ...(untilAt === undefined || untilAt < 0 ? {} : { untilAt }),
  };
}
