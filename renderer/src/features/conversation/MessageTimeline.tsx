/**
 * The windowed message timeline: day separators, messages and this device's notices. Older pages
 * load as the user nears the top; sending scrolls to the bottom.
 */
import { useCallback, useMemo } from 'react';
import type { MessageView } from '../../../../shared/ipc/view-schemas.js';
import { VirtualList } from '../../components/VirtualList.js';
import type { MessageSelection } from '../../logic/message-selection.js';
import {
  buildTimelineRows,
  estimateRowHeight,
  type TimelineRow,
} from '../../logic/timeline-rows.js';
import { MessageRow } from './MessageRow.js';
import { NoticeRow } from './NoticeRow.js';

interface Props {
  title: string;
  messages: readonly MessageView[];
  selection: MessageSelection;
  onReply(message: MessageView): void;
  onCopy(message: MessageView): Promise<void>;
  onRetry(message: MessageView): Promise<void>;
  onTranscribe(message: MessageView): void;
  onSelect(message: MessageView, selected: boolean): void;
  onNearTop: (() => void) | undefined;
  scrollToBottomSignal: number;
}

const rowKey = (row: TimelineRow) => row.key;

export function MessageTimeline(props: Props) {
  const { messages, selection, onReply, onCopy, onRetry, onTranscribe, onSelect } = props;
  const rows = useMemo(() => buildTimelineRows(messages, Date.now()), [messages]);

  const renderRow = useCallback(
    (row: TimelineRow) =>
      row.kind === 'day' ? (
        <h2 className="day-separator">{row.label}</h2>
      ) : row.kind === 'notice' ? (
        <NoticeRow message={row.message} />
      ) : (
        <MessageRow
          message={row.message}
          showSender={row.showSender}
          onReply={onReply}
          onCopy={(m) => void onCopy(m)}
          onRetry={(m) => void onRetry(m)}
          onTranscribe={onTranscribe}
          selected={selection === null ? null : selection.has(row.message.id)}
          onSelect={onSelect}
        />
      ),
    [onReply, onCopy, onRetry, onTranscribe, onSelect, selection],
  );

  return (
    <VirtualList
      items={rows}
      itemKey={rowKey}
      estimateHeight={estimateRowHeight}
      renderItem={renderRow}
      label={`Messages with ${props.title}`}
      onNearTop={props.onNearTop}
      scrollToBottomSignal={props.scrollToBottomSignal}
    />
  );
}
