/**
 * The open conversation's files: inline images (asked of main one at a time, kept as blob URLs
 * while the conversation is open and dropped with their message), the full-size viewer, Save
 * (main's save dialog), Open (after a warning, in the system's viewer) and Retry.
 */
import { createContext, useCallback, useContext, useEffect, useRef, useState } from 'react';
import type { MessageView } from '../../../../shared/ipc/view-schemas.js';
import { call, errorMessage, messenger } from '../../api.js';
import type { Feedback } from '../conversation/useFeedback.js';
import { blobUrlOf } from './useBlobUrl.js';

export interface InlineImage {
  url: string | null;
  /** Why it is not shown (too large, damaged): the file card is shown instead. */
  problem: string | null;
}

export interface Attachments {
  image(messageId: string): InlineImage | undefined;
  loadImage(message: MessageView): void;
  /** The message whose image is shown full size, if any. */
  viewing: MessageView | null;
  view(message: MessageView | null): void;
  /** The message whose file waits for the user to confirm Open, if any. */
  confirmingOpen: MessageView | null;
  askToOpen(message: MessageView | null): void;
  open(message: MessageView): Promise<void>;
  save(message: MessageView): Promise<void>;
  retry(message: MessageView): Promise<void>;
  /** Stops an upload in progress; the message then shows as failed, with Retry. */
  cancel(message: MessageView): Promise<void>;
}

export function useAttachments(
  conversationId: string,
  messages: readonly MessageView[],
  feedback: Feedback,
): Attachments {
  const { fail, announce, clearProblem } = feedback;
  const [images, setImages] = useState<ReadonlyMap<string, InlineImage>>(new Map());
  const asked = useRef(new Set<string>());
  const [viewingId, setViewingId] = useState<string | null>(null);
  const [openingId, setOpeningId] = useState<string | null>(null);

  const latest = useRef(images);
  latest.current = images;
  // A deleted message takes its image with it (and closes a viewer showing it). Nothing is set
  // unless something went: this runs on every change of the list.
  useEffect(() => {
    const present = new Set(messages.map((m) => m.id));
    const gone = [...latest.current.keys()].filter((id) => !present.has(id));
    if (gone.length === 0) return;
    setImages((current) => {
      const next = new Map(current);
      for (const id of gone) {
        const url = next.get(id)?.url;
        if (url) URL.revokeObjectURL(url);
        next.delete(id);
        asked.current.delete(id);
      }
      return next;
    });
  }, [messages]);
  useEffect(
    () => () => {
      for (const image of latest.current.values()) if (image.url) URL.revokeObjectURL(image.url);
    },
    [],
  );

  const loadImage = useCallback(
    (message: MessageView) => {
      if (asked.current.has(message.id)) return;
      asked.current.add(message.id);
      void call(messenger().attachments.content({ conversationId, messageId: message.id }))
        .then(({ type, dataBase64 }) => ({ url: blobUrlOf(dataBase64, type), problem: null }))
        .catch((error: unknown) => ({ url: null, problem: errorMessage(error) }))
        .then((image) => setImages((current) => new Map(current).set(message.id, image)));
    },
    [conversationId],
  );

  const save = useCallback(
    async (message: MessageView) => {
      clearProblem();
      try {
        const result = await call(
          messenger().attachments.save({ conversationId, messageId: message.id }),
        );
        if (result.saved) announce(`Saved as ${result.fileName ?? 'a file'}.`);
      } catch (error) {
        fail(error);
      }
    },
    [conversationId, announce, fail, clearProblem],
  );

  const open = useCallback(
    async (message: MessageView) => {
      setOpeningId(null);
      clearProblem();
      try {
        await call(messenger().attachments.open({ conversationId, messageId: message.id }));
        announce(`Opened ${message.attachment?.name ?? 'the file'} in another app.`);
      } catch (error) {
        fail(error);
      }
    },
    [conversationId, announce, fail, clearProblem],
  );

  const retry = useCallback(
    async (message: MessageView) => {
      clearProblem();
      try {
        await call(messenger().attachments.retry({ conversationId, messageId: message.id }));
        announce('Trying the file again.');
      } catch (error) {
        fail(error);
      }
    },
    [conversationId, announce, fail, clearProblem],
  );

  const cancel = useCallback(
    async (message: MessageView) => {
      clearProblem();
      try {
        await call(messenger().attachments.cancel({ conversationId, messageId: message.id }));
        announce(`Upload of ${message.attachment?.name ?? 'the file'} cancelled; Retry sends it.`);
      } catch (error) {
        fail(error);
      }
    },
    [conversationId, announce, fail, clearProblem],
  );

  const byId = (id: string | null) =>
    id === null ? null : (messages.find((m) => m.id === id) ?? null);
  return {
    image: (id) => images.get(id),
    loadImage,
    viewing: byId(viewingId),
    view: (message) => setViewingId(message?.id ?? null),
    confirmingOpen: byId(openingId),
    askToOpen: (message) => setOpeningId(message?.id ?? null),
    open,
    save,
    retry,
    cancel,
  };
}

/** Rows reach the conversation's attachments without threading them through the list. */
export const AttachmentsContext = createContext<Attachments | null>(null);

export function useAttachmentsContext(): Attachments | null {
  return useContext(AttachmentsContext);
}
