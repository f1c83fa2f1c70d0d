/**
 * Main's own rendering of the entry, so what the preview shows is exactly what will be copied.
 * Asked for a short pause after the last keystroke, and only the latest answer is shown.
 */
import { useEffect, useState } from 'react';
import type { TranscriptionFormInput } from '../../../../shared/ipc/clinical-schemas.js';
import { call, errorMessage, messenger } from '../../api.js';
import type { EntryPreview } from '../../logic/transcription-entry.js';

const renderDelayMs = 150;

/** `paused` once the transcription is confirmed: the originals may be gone, nothing to render. */
export function useEntryPreview(form: TranscriptionFormInput, paused: boolean): EntryPreview {
  const [preview, setPreview] = useState<EntryPreview>(null);
  const formKey = JSON.stringify(form);

  useEffect(() => {
    if (paused) return;
    let current = true;
    const timer = setTimeout(() => {
      void call(messenger().transcription.render({ form, format: 'text' }))
        .then((rendered) => current && setPreview(rendered))
        .catch(
          (error: unknown) =>
            current && setPreview({ content: null, errors: [errorMessage(error)] }),
        );
    }, renderDelayMs);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [formKey, paused]);

  return preview;
}
