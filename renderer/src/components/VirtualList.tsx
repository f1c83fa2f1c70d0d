/**
 * A windowed list for long conversations: only the rows near the viewport are in the DOM, each
 * absolutely placed at its offset. Heights start as estimates and are replaced by measurements
 * (ResizeObserver); the row the user is looking at stays still when rows above it are added or
 * re-measured, and a list scrolled to the bottom stays at the bottom as messages arrive. When the
 * user has scrolled up, rows arriving below are counted and a "jump to latest" button says so.
 * Only the user scrolling up unsticks the bottom: a scroll event from our own scrolling, seen
 * after rows grew on measuring, must not leave a new message hidden below the visible area.
 */
import {
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type KeyboardEvent,
  type ReactNode,
} from 'react';
import { Icon } from './Icon.js';
import {
  anchoredScrollTop,
  computeOffsets,
  findAnchor,
  totalHeight,
  updateOffsets,
  visibleRange,
} from '../logic/windowing.js';

interface Props<T> {
  items: readonly T[];
  itemKey(item: T): string;
  estimateHeight(item: T): number;
  renderItem(item: T): ReactNode;
  label: string;
  /** The id of text describing how to use the list (e.g. its keys). */
  describedBy?: string;
  /** Called when the user nears the top, to load older rows. */
  onNearTop?: () => void;
  /** Changes to this value scroll to the bottom (e.g. after the user sends). */
  scrollToBottomSignal?: number;
  /** Rows that count as new when they arrive below the visible area (e.g. incoming messages). */
  isNew?(item: T): boolean;
  /** The jump button's text for this many new rows below. */
  jumpLabel?(newCount: number): string;
  onKeyDown?(event: KeyboardEvent<HTMLDivElement>): void;
}

/** The row heights and offsets built for `items`. */
interface Layout<T> {
  items: readonly T[];
  heights: Float64Array;
  offsets: Float64Array;
}

const overscanPx = 600;
/**
 * Older rows are asked for this far from the top: about one page of messages (200 rows, some
 * 20,000 px) ahead, so that the next page has arrived before someone scrolling up fast reaches
 * the end of what is loaded. Asking only near the very top left the view waiting at the top,
 * and a page landing there moved the user's place.
 */
const nearTopPx = 20_000;
const bottomSlackPx = 24;

export function VirtualList<T>(props: Props<T>) {
  const { items, itemKey, estimateHeight } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const measured = useRef(new Map<string, number>());
  /** Keys measured since the offsets were last brought up to date. */
  const remeasured = useRef(new Set<string>());
  /** Of those, the keys measured for the first time: they calibrate the estimates. */
  const firstMeasured = useRef(new Set<string>());
  /**
   * Measured against estimated heights of the rows measured so far. Rows not yet measured (an
   * older page just loaded) are placed at their estimate scaled by this, so that the page's
   * height, and so the distance the view is moved down to hold its place, is about right.
   */
  const calibration = useRef({ measuredPx: 0, estimatedPx: 0 });
  const [measureVersion, setMeasureVersion] = useState(0);
  const [viewport, setViewport] = useState({ top: 0, height: 800 });
  const stickToBottom = useRef(true);
  const lastScrollTop = useRef(0);
  // Whether the jump button shows (not at the bottom), and how many new rows arrived below.
  const [below, setBelow] = useState<{ away: boolean; count: number }>({ away: false, count: 0 });
  const lastKey = useRef<string | null>(null);
  const onNearTop = useRef(props.onNearTop);
  onNearTop.current = props.onNearTop;

  const keys = useMemo(() => items.map(itemKey), [items, itemKey]);
  const indexOfKey = useMemo(() => new Map(keys.map((key, index) => [key, index])), [keys]);
  // Heights and offsets are rebuilt only when the rows change (a page loads, a message comes);
  // a measurement updates one height and the offsets from that row on, so a frame that mounts a
  // few rows does not re-estimate and re-sum every row of a 10,000-message conversation.
  const layout = useRef<Layout<T> | null>(null);
  const offsets = useMemo(() => {
    const current = layout.current;
    if (current === null || current.items !== items) {
      const heights = new Float64Array(items.length);
      const { measuredPx, estimatedPx } = calibration.current;
      const scale = estimatedPx > 0 ? measuredPx / estimatedPx : 1;
      items.forEach((item, i) => {
        heights[i] = measured.current.get(keys[i] ?? '') ?? estimateHeight(item) * scale;
      });
      remeasured.current.clear();
      firstMeasured.current.clear();
      layout.current = { items, heights, offsets: computeOffsets(heights) };
      return layout.current.offsets;
    }
    let from = current.heights.length;
    for (const key of remeasured.current) {
      const index = indexOfKey.get(key);
      const size = measured.current.get(key);
      if (index === undefined || size === undefined || current.heights[index] === size) continue;
      if (firstMeasured.current.has(key)) {
        calibration.current.measuredPx += size;
        calibration.current.estimatedPx += estimateHeight(items[index] as T);
      }
      current.heights[index] = size;
      from = Math.min(from, index);
    }
    remeasured.current.clear();
    firstMeasured.current.clear();
    if (from === current.heights.length) return current.offsets;
    // A new array: the previous one is the committed layout the scroll anchor is taken from.
    current.offsets = updateOffsets(current.offsets, current.heights, from);
    return current.offsets;
    // measureVersion is how this memo learns that measured heights changed.
  }, [items, keys, indexOfKey, estimateHeight, measureVersion]);
  const height = totalHeight(offsets);
  const range = visibleRange(offsets, viewport.top, viewport.height, overscanPx);

  // The layout the DOM showed at the last commit: where the user is scrolled means a row in it.
  const committed = useRef<{ offsets: Float64Array; keys: readonly string[] } | null>(null);

  // After rows were added or re-measured: keep the bottom, or keep the row at the top still.
  // The anchor is taken now, from the scroll position in the previous layout, never from an
  // earlier scroll event, which would pull the user back to where they were a frame ago.
  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const previous = committed.current;
    committed.current = { offsets, keys };
    const previousLast = lastKey.current;
    lastKey.current = keys[keys.length - 1] ?? null;
    if (!stickToBottom.current && previousLast !== null && props.isNew) {
      const from = indexOfKey.get(previousLast);
      const added = from === undefined ? [] : items.slice(from + 1).filter(props.isNew);
      if (added.length > 0) setBelow((b) => ({ away: true, count: b.count + added.length }));
    }
    let target: number | null = null;
    if (stickToBottom.current) target = Math.max(0, height - element.clientHeight);
    else if (previous) {
      const top = element.scrollTop;
      const anchor = findAnchor(previous, keys, indexOfKey, top, element.clientHeight);
      if (anchor) {
        const distance = (previous.offsets[anchor.previousRow] ?? 0) - top;
        target = anchoredScrollTop(offsets, anchor.row, distance);
      }
    }
    if (target !== null && Math.abs(element.scrollTop - target) > 0.5) {
      element.scrollTop = target;
    }
    setViewport((v) =>
      v.top === element.scrollTop && v.height === element.clientHeight
        ? v
        : { top: element.scrollTop, height: element.clientHeight },
    );
    // A short conversation never scrolls, so it would never ask for older messages otherwise.
    if (element.scrollTop < nearTopPx) onNearTop.current?.();
  }, [offsets, keys, height, indexOfKey]);

  useLayoutEffect(() => {
    if (props.scrollToBottomSignal !== undefined) scrollToBottom();
  }, [props.scrollToBottomSignal]);

  const scrollToBottom = () => {
    stickToBottom.current = true;
    setBelow({ away: false, count: 0 });
    const element = scroller.current;
    if (element) element.scrollTop = element.scrollHeight;
  };

  const onScroll = () => {
    const element = scroller.current;
    if (!element) return;
    const atBottom =
      element.scrollHeight - element.scrollTop - element.clientHeight <= bottomSlackPx;
    if (atBottom) stickToBottom.current = true;
    else if (element.scrollTop < lastScrollTop.current - 1) stickToBottom.current = false;
    lastScrollTop.current = element.scrollTop;
    const away = !stickToBottom.current;
    setBelow((b) => (b.away === away ? b : { away, count: away ? b.count : 0 }));
    setViewport({ top: element.scrollTop, height: element.clientHeight });
    if (element.scrollTop < nearTopPx) onNearTop.current?.();
  };

  // Rows report their real heights; one re-layout per animation frame at most.
  const observer = useMemo(() => {
    let frame = 0;
    return new ResizeObserver((entries) => {
      let changed = false;
      for (const entry of entries) {
        const key = (entry.target as HTMLElement).dataset['rowKey'];
        const size = entry.borderBoxSize[0]?.blockSize ?? entry.contentRect.height;
        if (key !== undefined && size > 0 && measured.current.get(key) !== size) {
          if (!measured.current.has(key)) firstMeasured.current.add(key);
          measured.current.set(key, size);
          remeasured.current.add(key);
          changed = true;
        }
      }
      if (changed && frame === 0) {
        frame = requestAnimationFrame(() => {
          frame = 0;
          setMeasureVersion((v) => v + 1);
        });
      }
    });
  }, []);
  useEffect(() => () => observer.disconnect(), [observer]);

  const observe = useCallback(
    (element: HTMLLIElement | null) => {
      if (!element) return;
      observer.observe(element);
      return () => observer.unobserve(element);
    },
    [observer],
  );

  useEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const resize = new ResizeObserver(() =>
      setViewport({ top: element.scrollTop, height: element.clientHeight }),
    );
    resize.observe(element);
    return () => resize.disconnect();
  }, []);

  const rows: ReactNode[] = [];
  for (let i = range.start; i < range.end; i++) {
    const item = items[i];
    const key = keys[i];
    if (item === undefined || key === undefined) continue;
    rows.push(
      <li
        key={key}
        ref={observe}
        data-row-key={key}
        className="virtual-row"
        style={{ transform: `translateY(${offsets[i] ?? 0}px)` }}
      >
        {props.renderItem(item)}
      </li>,
    );
  }

  return (
    <div className="virtual-frame">
      <div
        ref={scroller}
        className="virtual-scroller"
        tabIndex={0}
        role="region"
        aria-label={props.label}
        aria-describedby={props.describedBy}
        onScroll={onScroll}
        onKeyDown={props.onKeyDown}
      >
        <ol className="virtual-rows" style={{ height: `${height}px` }}>
          {rows}
        </ol>
      </div>
      {props.jumpLabel && below.away && (
        <button
          type="button"
          className={below.count > 0 ? 'jump-latest jump-latest-new' : 'jump-latest'}
          onClick={() => {
            scrollToBottom();
            scroller.current?.focus();
          }}
        >
          <Icon name="down" size={16} />
          {props.jumpLabel(below.count)}
        </button>
      )}
    </div>
  );
}
