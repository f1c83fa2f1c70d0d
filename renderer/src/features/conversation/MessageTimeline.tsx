/**
 * The windowed message timeline: day separators, the unread divider, messages and this device's
 * notices. Older pages load as the user nears the top; sending scrolls to the bottom; incoming
 * messages that arrive below the visible area are counted on a "jump to latest" button.
 *
 * Keyboard: the list is one tab stop. From it, or from a message, the arrow keys move between
 * messages (Home and End to the first and last shown); the focused message's toolbar follows it
 * in the tab order, and Tab from there goes on to the composer. A message's toolbar exists only
 * while it is the active (last focused) message or under the pointer (see MessageRow); a hint
 * tied to the list says how to reach it.
 */
import { useCallback, useId, useMemo, useState, type KeyboardEvent } from 'react';
import type { MessageView } from '../../../../shared/ipc/view-schemas.js';
import { VirtualList } from '../../components/VirtualList.js';
import type { MessageSelection } from '../../logic/message-selection.js';
import {
  buildTimelineRows,
  estimateRowHeight,
  type TimelineRow,
} from '../../logic/timeline-rows.js';
import { jumpLabel } from '../../logic/unread.js';
import { MessageRow } from './MessageRow.js';
import { NoticeRow } from './NoticeRow.js';

interface Props {
  title: string;
  messages: readonly MessageView[];
  /** The first message that was unread when the conversation opened. */
  unreadFromId: string | null;
  selection: MessageSelection;
  onReply(message: MessageView): void;
  onCopy(message: MessageView): Promise<void>;
  onRetry(message: MessageView): Promise<void>;
  onTranscribe(message: MessageView): void;
  onSelect(message: MessageView, selected: boolean): void;
  /** Asks to delete one's own message for everyone (a confirmation follows). */
  onDelete(message: MessageView): void;
  onNearTop: (() => void) | undefined;
  scrollToBottomSignal: number;
}

const rowKey = (row: TimelineRow) => row.key;
const isNewIncoming = (row: TimelineRow) =>
  row.kind === 'message' && row.message.direction === 'incoming';

export function MessageTimeline(props: Props) {
  const { messages, selection, onReply, onCopy, onRetry, onTranscribe, onSelect, onDelete } = props;
  const rows = useMemo(
    () => buildTimelineRows(messages, Date.now(), props.unreadFromId),
    [messages, props.unreadFromId],
  );
  const [activeId, setActiveId] = useState<string | null>(null);
  const [hoveredId, setHoveredId] = useState<string | null>(null);
  const hintId = useId();
  // Stable, so a memoised row re-renders only when its own message or state changes, not on
  // every page that loads above it.
  const copy = useCallback((m: MessageView) => void onCopy(m), [onCopy]);
  const retry = useCallback((m: MessageView) => void onRetry(m), [onRetry]);

  const renderRow = useCallback(
    (row: TimelineRow) =>
      row.kind === 'day' ? (
        <h2 className="day-separator">{row.label}</h2>
      ) : row.kind === 'unread' ? (
        <p className="unread-divider">
          <span>Unread messages</span>
        </p>
      ) : row.kind === 'notice' ? (
        <NoticeRow message={row.message} />
      ) : (
        <MessageRow
          message={row.message}
          showSender={row.showSender}
          active={row.message.id === activeId}
          hovered={row.message.id === hoveredId}
          onReply={onReply}
          onCopy={copy}
          onRetry={retry}
          onTranscribe={onTranscribe}
          selected={selection === null ? null : selection.has(row.message.id)}
          onSelect={onSelect}
          onDelete={onDelete}
        />
      ),
    [onReply, copy, retry, onTranscribe, onSelect, onDelete, selection, activeId, hoveredId],
  );

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const target = event.target as HTMLElement;
    const onList = target === event.currentTarget;
    if (!onList && !target.matches('article.message')) return;
    const shown = [...event.currentTarget.querySelectorAll<HTMLElement>('article.message')];
    if (shown.length === 0) return;
    const at = shown.indexOf(target);
    let next: HTMLElement | undefined;
    if (event.key === 'ArrowDown')
      next = onList ? shown[0] : shown[Math.min(at + 1, shown.length - 1)];
    else if (event.key === 'ArrowUp')
      next = onList ? shown[shown.length - 1] : shown[Math.max(at - 1, 0)];
    else if (event.key === 'Home') next = shown[0];
    else if (event.key === 'End') next = shown[shown.length - 1];
    if (!next) return;
    event.preventDefault();
    next.focus();
  };

  return (
    <div
      className="timeline"
      onFocus={(event) => {
        const row = (event.target as HTMLElement).closest<HTMLElement>('article.message');
        if (row?.dataset['messageId']) setActiveId(row.dataset['messageId']);
      }}
      onMouseOver={(event) => {
        const row = (event.target as HTMLElement).closest<HTMLElement>('article.message');
        setHoveredId(row?.dataset['messageId'] ?? null);
      }}
      onMouseLeave={() => setHoveredId(null)}
    >
      <p id={hintId} className="visually-hidden">
        Arrow keys move between messages; Tab from a message reaches its actions.
      </p>
      <VirtualList
        items={rows}
        itemKey={rowKey}
        estimateHeight={estimateRowHeight}
        renderItem={renderRow}
        label={`Messages with ${props.title}`}
        describedBy={hintId}
        onNearTop={props.onNearTop}
        scrollToBottomSignal={props.scrollToBottomSignal}
        isNew={isNewIncoming}
        jumpLabel={jumpLabel}
        onKeyDown={onKeyDown}
      />
    </div>
  );
}
