/**
 * Main's draft of the entry for the chosen messages: the patient found in them, the advice
 * quoted with who said what and when, who asked, and who may be named as giving the advice.
 */
import { useEffect, useState } from 'react';
import type { TranscriptionDraft } from '../../../../shared/ipc/clinical-schemas.js';
import { call, errorMessage, messenger } from '../../api.js';

export function useTranscriptionDraft(
  conversationId: string,
  messageIds: readonly string[],
): { draft: TranscriptionDraft | null; problem: string | null } {
  const [draft, setDraft] = useState<TranscriptionDraft | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    void call(messenger().transcription.draft({ conversationId, messageIds: [...messageIds] }))
      .then(setDraft)
      .catch((error: unknown) => setProblem(errorMessage(error)));
    // The selection is fixed for the panel's lifetime.
  }, []);

  return { draft, problem };
}
