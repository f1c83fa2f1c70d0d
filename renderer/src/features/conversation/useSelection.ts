/**
 * Choosing messages to transcribe, and the chosen ones while the transcription panel is open.
 * Messages deleted meanwhile leave the selection.
 */
import { useCallback, useState } from 'react';
import type { MessageView } from '../../../../shared/ipc/view-schemas.js';
import { useMessengerEvent } from '../../api.js';
import {
  selectMessage,
  toggleSelecting,
  withoutDeleted,
  type MessageSelection,
} from '../../logic/message-selection.js';
import { transcribableIds } from '../../logic/transcription-selection.js';

export interface Selection {
  /** Null unless the user is choosing messages to transcribe. */
  selection: MessageSelection;
  /** The messages in the open transcription panel; null when it is closed. */
  transcribing: readonly string[] | null;
  toggleSelecting(): void;
  /** "Transcribe…" on a message: starts choosing with that one chosen. */
  startWith(message: MessageView): void;
  select(message: MessageView, selected: boolean): void;
  cancel(): void;
  /** Opens the panel with the chosen messages, in conversation order. */
  transcribe(messages: readonly MessageView[]): void;
  /** Closing the panel ends the choosing too, whether or not it was confirmed. */
  closeTranscription(): void;
}

export function useSelection(conversationId: string): Selection {
  const [selection, setSelection] = useState<MessageSelection>(null);
  const [transcribing, setTranscribing] = useState<readonly string[] | null>(null);

  useMessengerEvent('messages.deleted', (event) => {
    if (event.conversationId !== conversationId) return;
    setSelection((current) => withoutDeleted(current, event.messageIds));
  });

  const startWith = useCallback((message: MessageView) => setSelection(new Set([message.id])), []);
  const select = useCallback(
    (message: MessageView, selected: boolean) =>
      setSelection((current) => selectMessage(current, message.id, selected)),
    [],
  );

  return {
    selection,
    transcribing,
    toggleSelecting: () => setSelection(toggleSelecting),
    startWith,
    select,
    cancel: () => setSelection(null),
    transcribe: (messages) => setTranscribing(transcribableIds(messages, selection ?? new Set())),
    closeTranscription: () => {
      setTranscribing(null);
      setSelection(null);
    },
  };
}
