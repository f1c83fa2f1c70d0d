/**
 * The arithmetic of a windowed (virtualised) list: where each row starts, which rows intersect
 * the viewport. Pure, so it is unit-tested without a browser; rows have measured or estimated
 * heights and the DOM holds only the rows returned by visibleRange.
 */

/** offsets[i] is where row i starts; offsets[n] is the total height. */
export function computeOffsets(heights: ArrayLike<number>): Float64Array {
  return updateOffsets(new Float64Array(heights.length + 1), heights, 0);
}

/**
 * The offsets after heights from row `from` on changed: a copy of `previous` (same row count)
 * with offsets[from + 1 …] summed again. Rows above `from` keep their offsets.
 */
export function updateOffsets(
  previous: Float64Array,
  heights: ArrayLike<number>,
  from: number,
): Float64Array {
  const offsets = previous.slice();
  for (let i = Math.max(0, from); i < heights.length; i++) {
    const height = heights[i] ?? 0;
    offsets[i + 1] = (offsets[i] ?? 0) + (height > 0 ? height : 0);
  }
  return offsets;
}

export function totalHeight(offsets: Float64Array): number {
  return offsets[offsets.length - 1] ?? 0;
}

/** The row containing position y (clamped to the first and last row); -1 when there are none. */
export function rowAtOffset(offsets: Float64Array, y: number): number {
  const rows = offsets.length - 1;
  if (rows <= 0) return -1;
  let low = 0;
  let high = rows - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if ((offsets[middle] ?? 0) <= y) low = middle;
    else high = middle - 1;
  }
  return low;
}

export interface RowRange {
  /** First row to render. */
  start: number;
  /** One past the last row to render. */
  end: number;
}

/**
 * Rows intersecting [scrollTop - overscan, scrollTop + viewport + overscan). Overscan keeps a
 * margin rendered so fast scrolling does not flash empty space.
 */
export function visibleRange(
  offsets: Float64Array,
  scrollTop: number,
  viewportHeight: number,
  overscan: number,
): RowRange {
  const rows = offsets.length - 1;
  if (rows <= 0) return { start: 0, end: 0 };
  const top = Math.max(0, scrollTop - overscan);
  const bottom = scrollTop + Math.max(0, viewportHeight) + overscan;
  const start = rowAtOffset(offsets, top);
  let end = rowAtOffset(offsets, bottom) + 1;
  // A row starting exactly at the bottom edge is not visible.
  if (end - 1 > start && (offsets[end - 1] ?? 0) >= bottom) end -= 1;
  return { start, end: Math.min(end, rows) };
}

/**
 * Where to scroll so that the row which was at `distanceFromTop` px below the viewport's top
 * stays put after rows above it were added or re-measured.
 */
export function anchoredScrollTop(
  offsets: Float64Array,
  anchorRow: number,
  distanceFromTop: number,
): number {
  return Math.max(0, (offsets[anchorRow] ?? 0) - distanceFromTop);
}

/** The row to hold still: its index in the previous layout and in the new one. */
export interface Anchor {
  previousRow: number;
  row: number;
}

/**
 * Which row to keep still when rows change: the first row on screen (from `scrollTop`, within
 * `viewportHeight`) that is still followed by the same row. A row that moved relative to its
 * neighbours is no anchor: a day separator, when an older page brings earlier messages of that
 * day, now heads those, and holding it still would jump the view by up to a page. Falls back to
 * the first row on screen that still exists; null when none does.
 */
export function findAnchor(
  previous: { offsets: Float64Array; keys: readonly string[] },
  keys: readonly string[],
  indexOfKey: ReadonlyMap<string, number>,
  scrollTop: number,
  viewportHeight: number,
): Anchor | null {
  const first = rowAtOffset(previous.offsets, scrollTop);
  if (first < 0) return null;
  let fallback: Anchor | null = null;
  for (let p = first; p < previous.keys.length; p++) {
    if ((previous.offsets[p] ?? 0) >= scrollTop + Math.max(1, viewportHeight)) break;
    const key = previous.keys[p];
    const row = key === undefined ? undefined : indexOfKey.get(key);
    if (row === undefined) continue;
    fallback ??= { previousRow: p, row };
    if (previous.keys[p + 1] === keys[row + 1]) return { previousRow: p, row };
  }
  return fallback;
}
