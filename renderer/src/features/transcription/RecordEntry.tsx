/**
 * The entry for the record as main renders it (or what is missing), the two ways to hand it to
 * the clinical system (copy, FHIR file), and the confirmation that it is in the record.
 */
import type { TranscriptionFormInput } from '../../../../shared/ipc/clinical-schemas.js';
import type { Confirmed } from '../../logic/transcription-confirm-step.js';
import type { EntryPreview } from '../../logic/transcription-entry.js';
import { readableProblem, type TranscriptionFields } from '../../logic/transcription-form.js';
import { TranscriptionConfirm } from './TranscriptionConfirm.js';
import { useEntryHandover } from './useEntryHandover.js';
import { hasAttachmentsSection } from '../../logic/transcription-entry.js';

interface Props {
  form: TranscriptionFormInput;
  preview: EntryPreview;
  ready: boolean;
  fields: TranscriptionFields;
  onFields(update: Partial<TranscriptionFields>): void;
  onConfirmed(result: Confirmed): void;
}

export function RecordEntry({ form, preview, ready, fields, onFields, onConfirmed }: Props) {
  const { handedOver, busy, status, copy, saveFhir } = useEntryHandover(form);
  // The entry lists the selected messages' files: they can be saved beside it on request.
  const listsFiles = preview?.content != null && hasAttachmentsSection(preview.content);
  return (
    <section className="transcription-preview" aria-labelledby="entry-preview-title">
      <h3 id="entry-preview-title">The entry for the record</h3>
      {preview?.content != null ? (
        <pre className="entry-preview" tabIndex={0} aria-label="Record entry preview">
          {preview.content}
        </pre>
      ) : (
        <div className="entry-missing">
          <p>
            <strong>To finish the entry:</strong>
          </p>
          <ul>
            {(preview?.errors ?? ['Checking…']).map((error) => (
              <li key={error}>{readableProblem(error)}</li>
            ))}
          </ul>
        </div>
      )}
      <div className="actions">
        <button
          type="button"
          className="button-primary"
          disabled={!ready || busy}
          onClick={() => void copy()}
        >
          Copy entry
        </button>
        <button type="button" disabled={!ready || busy} onClick={() => void saveFhir()}>
          Save FHIR file…
        </button>
        {listsFiles ? (
          <button type="button" disabled={!ready || busy} onClick={() => void saveFhir(true)}>
            Save FHIR file and attachments…
          </button>
        ) : null}
      </div>
      <p
        role={status?.ok === false ? 'alert' : 'status'}
        className={status?.ok === false ? 'alert' : 'success'}
      >
        {status?.text}
      </p>
      <TranscriptionConfirm
        form={form}
        ready={ready}
        handedOver={handedOver}
        fields={fields}
        onFields={onFields}
        onConfirmed={onConfirmed}
      />
    </section>
  );
}
