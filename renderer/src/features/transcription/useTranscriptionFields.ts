/**
 * The panel's fields, started from main's draft, and the IPC form built from them on every
 * change (the preview, copy, save and confirm all send exactly this form).
 */
import { useState, type Dispatch, type SetStateAction } from 'react';
import type {
  TranscriptionDraft,
  TranscriptionFormInput,
} from '../../../../shared/ipc/clinical-schemas.js';
import { initialFields, toForm, type TranscriptionFields } from '../../logic/transcription-form.js';

export interface TranscriptionFieldsState {
  fields: TranscriptionFields;
  /** For changes computed from the current fields (layout, roles, advice giver). */
  setFields: Dispatch<SetStateAction<TranscriptionFields>>;
  /** For plain edits of some fields. */
  set(update: Partial<TranscriptionFields>): void;
  form: TranscriptionFormInput;
}

export function useTranscriptionFields(draft: TranscriptionDraft): TranscriptionFieldsState {
  const [fields, setFields] = useState<TranscriptionFields>(() => initialFields(draft, Date.now()));
  const set = (update: Partial<TranscriptionFields>) => setFields((f) => ({ ...f, ...update }));
  return { fields, setFields, set, form: toForm(draft, fields) };
}
