import { describe, expect, it } from 'vitest';
import {
  anchoredScrollTop,
  computeOffsets,
  findAnchor,
  rowAtOffset,
  totalHeight,
  updateOffsets,
  visibleRange,
} from '../../renderer/src/logic/windowing.js';

describe('windowing', () => {
  it('anchors on a row still followed by the same row, not a day separator that moved', () => {
    // Before: [day:2, m5, m6, m7]; an older page brings m3 and m4 of the same day, and the
    // separator moves up to head them: [day:1, m1, day:2, m3, m4, m5, m6, m7].
    const previous = {
      keys: ['day:2', 'm5', 'm6', 'm7'],
      offsets: computeOffsets([40, 80, 80, 80]),
    };
    const keys = ['day:1', 'm1', 'day:2', 'm3', 'm4', 'm5', 'm6', 'm7'];
    const indexOfKey = new Map(keys.map((key, index) => [key, index]));
    expect(findAnchor(previous, keys, indexOfKey, 0, 500)).toEqual({ previousRow: 1, row: 5 });
    // A row followed by the same row anchors at once.
    expect(findAnchor(previous, keys, indexOfKey, 130, 500)).toEqual({ previousRow: 2, row: 6 });
    // Nothing on screen survives: no anchor.
    expect(findAnchor(previous, ['x'], new Map([['x', 0]]), 0, 500)).toBeNull();
    // Only moved rows on screen: the first that still exists.
    const moved = ['m5', 'n', 'day:2', 'm6'];
    expect(
      findAnchor(previous, moved, new Map(moved.map((key, index) => [key, index])), 0, 100),
    ).toEqual({ previousRow: 0, row: 2 });
  });

  it('updates offsets from a changed row on, leaving the previous array and earlier rows alone', () => {
    const heights = new Float64Array([10, 20, 30, 40]);
    const before = computeOffsets(heights);
    heights[2] = 5;
    const after = updateOffsets(before, heights, 2);
    expect([...after]).toEqual([0, 10, 30, 35, 75]);
    expect([...before]).toEqual([0, 10, 30, 60, 100]);
    expect([...after]).toEqual([...computeOffsets(heights)]);
  });

  it('computes offsets as running sums, ignoring negative or missing heights', () => {
    expect([...computeOffsets([10, 20, 30])]).toEqual([0, 10, 30, 60]);
    expect([...computeOffsets([10, -5, 5])]).toEqual([0, 10, 10, 15]);
    expect(totalHeight(computeOffsets([]))).toBe(0);
  });

  it('finds the row at a position, clamped to the list', () => {
    const offsets = computeOffsets([10, 20, 30]);
    expect(rowAtOffset(offsets, 0)).toBe(0);
    expect(rowAtOffset(offsets, 9.9)).toBe(0);
    expect(rowAtOffset(offsets, 10)).toBe(1);
    expect(rowAtOffset(offsets, 59)).toBe(2);
    expect(rowAtOffset(offsets, 1000)).toBe(2);
    expect(rowAtOffset(offsets, -5)).toBe(0);
    expect(rowAtOffset(computeOffsets([]), 0)).toBe(-1);
  });

  it('renders only the rows intersecting the viewport plus overscan', () => {
    const offsets = computeOffsets(Array.from({ length: 10_000 }, () => 50));
    expect(visibleRange(offsets, 0, 500, 0)).toEqual({ start: 0, end: 10 });
    expect(visibleRange(offsets, 5_000, 500, 0)).toEqual({ start: 100, end: 110 });
    expect(visibleRange(offsets, 5_000, 500, 100)).toEqual({ start: 98, end: 112 });
    const bottom = visibleRange(offsets, 500_000 - 500, 500, 100);
    expect(bottom.end).toBe(10_000);
    expect(bottom.end - bottom.start).toBeLessThan(20);
  });

  it('includes a partly visible row and excludes one starting at the bottom edge', () => {
    const offsets = computeOffsets([100, 100, 100]);
    expect(visibleRange(offsets, 50, 100, 0)).toEqual({ start: 0, end: 2 });
    expect(visibleRange(offsets, 0, 100, 0)).toEqual({ start: 0, end: 1 });
  });

  it('returns an empty range for an empty list', () => {
    expect(visibleRange(computeOffsets([]), 0, 500, 100)).toEqual({ start: 0, end: 0 });
  });

  it('keeps the anchored row still when rows are added above it', () => {
    const before = computeOffsets([40, 40, 40, 40]);
    const anchorRow = rowAtOffset(before, 90); // row 2 starts at 80
    const distance = (before[anchorRow] ?? 0) - 90;
    // Two older rows of 60 px were prepended: the anchored row is now index 4.
    const after = computeOffsets([60, 60, 40, 40, 40, 40]);
    expect(anchoredScrollTop(after, anchorRow + 2, distance)).toBe(210);
    expect(anchoredScrollTop(after, 0, 10)).toBe(0);
  });
});
