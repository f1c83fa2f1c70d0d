/**
 * The file waiting in the composer: chosen with main's open dialog (Attach), dropped on the
 * composer or pasted into it. Main checks it at once (type from its bytes, size, policy), so a
 * refusal is seen before anything else is typed; it holds the bytes, the renderer a stage id
 * and a preview.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { StagedAttachment } from '../../../../shared/ipc/attachment-schemas.js';
import { call, errorMessage, messenger } from '../../api.js';
import { readAsBase64 } from './useBlobUrl.js';

export interface AttachmentDraft {
  staged: StagedAttachment | null;
  busy: boolean;
  problem: string | null;
  choose(): Promise<void>;
  /** A dropped or pasted file. */
  take(file: File): Promise<void>;
  remove(): void;
  /** After sending: main has already let go of it. */
  sent(): void;
}

export function useAttachmentDraft(conversationId: string): AttachmentDraft {
  const [staged, setStaged] = useState<StagedAttachment | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const current = useRef<StagedAttachment | null>(null);
  current.current = staged;

  const replace = useCallback((next: StagedAttachment | null) => {
    const old = current.current;
    if (old && old.stageId !== next?.stageId) {
      void messenger().attachments.discard({ stageId: old.stageId });
    }
    setStaged(next);
  }, []);

  // Another conversation, or leaving it: the draft goes (main forgets it too).
  useEffect(() => () => replace(null), [conversationId, replace]);

  const stage = async (work: () => Promise<StagedAttachment | null>) => {
    setBusy(true);
    setProblem(null);
    try {
      const next = await work();
      if (next) replace(next);
    } catch (error) {
      setProblem(errorMessage(error));
    } finally {
      setBusy(false);
    }
  };

  return {
    staged,
    busy,
    problem,
    choose: () => stage(async () => (await call(messenger().attachments.choose())).staged),
    take: (file) =>
      stage(async () => {
        const dataBase64 = await readAsBase64(file);
        const name = file.name || `pasted-image.${file.type === 'image/jpeg' ? 'jpg' : 'png'}`;
        return (await call(messenger().attachments.stage({ name, dataBase64 }))).staged;
      }),
    remove: () => {
      setProblem(null);
      replace(null);
    },
    sent: () => {
      current.current = null;
      setStaged(null);
    },
  };
}
