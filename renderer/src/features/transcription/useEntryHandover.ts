/**
 * Handing the entry over to the clinical system: copied to the clipboard (main clears it again)
 * or saved as a FHIR file. Remembers which entry left the app, so "Entered into the record" is
 * offered for that entry and not for one edited since.
 */
import { useState } from 'react';
import type { TranscriptionFormInput } from '../../../../shared/ipc/clinical-schemas.js';
import { call, errorMessage, messenger } from '../../api.js';
import { formatTime } from '../../logic/format.js';
import { entryKey } from '../../logic/transcription-entry.js';

export interface EntryHandover {
  /** This exact entry was copied or saved as a FHIR file. */
  handedOver: boolean;
  busy: boolean;
  /** The outcome of the last copy or save, for the user. */
  status: { ok: boolean; text: string } | null;
  copy(): Promise<void>;
  /** withFiles: the files the entry lists are saved beside it. */
  saveFhir(withFiles?: boolean): Promise<void>;
}

export function useEntryHandover(form: TranscriptionFormInput): EntryHandover {
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [handedOverKey, setHandedOverKey] = useState<string | null>(null);
  const key = entryKey(form);

  const act = async (work: () => Promise<string>) => {
    setBusy(true);
    setStatus(null);
    try {
      setStatus({ ok: true, text: await work() });
    } catch (error) {
      setStatus({ ok: false, text: errorMessage(error) });
    } finally {
      setBusy(false);
    }
  };
  const copy = () =>
    act(async () => {
      const { clearsAt } = await call(messenger().transcription.copy({ form }));
      setHandedOverKey(key);
      return `Entry copied. Paste it as a new entry in the patient's record. For privacy it will be cleared from the clipboard at ${formatTime(clearsAt)}.`;
    });
  const saveFhir = (withFiles = false) =>
    act(async () => {
      const { saved, fileName, files } = await call(
        messenger().transcription.saveFhir({ form, withFiles }),
      );
      if (saved) setHandedOverKey(key);
      if (!saved || !fileName) return 'Not saved: no file was chosen.';
      return files.length === 0
        ? `FHIR file saved as ${fileName}.`
        : `FHIR file saved as ${fileName}, with ${files.join(', ')} beside it.`;
    });

  return { handedOver: handedOverKey === key, busy, status, copy, saveFhir };
}
