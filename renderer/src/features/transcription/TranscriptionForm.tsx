/**
 * The entry being written: the fields on the left, the record entry as main renders it on the
 * right with the ways to hand it over and the confirmation; the outcome once confirmed.
 */
import { useState } from 'react';
import type { TranscriptionDraft } from '../../../../shared/ipc/clinical-schemas.js';
import { Field } from '../../components/Field.js';
import { TextArea } from '../../components/TextArea.js';
import type { Confirmed } from '../../logic/transcription-confirm-step.js';
import { alreadyTranscribedCount, entryReady } from '../../logic/transcription-entry.js';
import { changeTemplate, editRole } from '../../logic/transcription-form.js';
import { AdviceGiverFields } from './AdviceGiverFields.js';
import { PatientFields } from './PatientFields.js';
import { RecordEntry } from './RecordEntry.js';
import { TranscriptionResult } from './TranscriptionResult.js';
import { useEntryPreview } from './useEntryPreview.js';
import { useTranscriptionFields } from './useTranscriptionFields.js';

interface Props {
  draft: TranscriptionDraft;
  onClose(): void;
}

export function TranscriptionForm({ draft, onClose }: Props) {
  const { fields, setFields, set, form } = useTranscriptionFields(draft);
  const [confirmed, setConfirmed] = useState<Confirmed | null>(null);
  const preview = useEntryPreview(form, confirmed !== null);
  const ready = entryReady(preview, fields, Date.now());
  const already = alreadyTranscribedCount(draft);

  if (confirmed) return <TranscriptionResult result={confirmed} onDone={onClose} />;
  const count = draft.messageIds.length;
  return (
    <>
      <p className="hint">
        {count === 1 ? '1 message selected.' : `${count} messages selected.`} Check the entry, copy
        it into the patient&apos;s record in EMIS Web or SystmOne, then confirm here.
      </p>
      <div className="transcription-layout">
        <form className="transcription-fields" onSubmit={(e) => e.preventDefault()} noValidate>
          {already > 0 && (
            <p className="alert" role="alert">
              {already === 1 ? 'One of these messages was' : `${already} of these messages were`}{' '}
              already transcribed. Check the record before adding a second entry.
            </p>
          )}
          <PatientFields draft={draft} fields={fields} onFields={set} />
          <TextArea
            label="Advice"
            hint="Quoted from the messages with who said what and when. Summarise or edit it as you would in the record."
            rows={7}
            value={fields.advice}
            onChange={(e) => set({ advice: e.target.value, adviceEdited: true })}
          />
          <fieldset className="radios">
            <legend>Layout of the entry</legend>
            {(['compact', 'full'] as const).map((template) => (
              <label className="radio" key={template}>
                <input
                  type="radio"
                  name="entry-template"
                  checked={fields.template === template}
                  onChange={() => setFields((f) => changeTemplate(draft, f, template))}
                />
                <span>
                  {template === 'compact'
                    ? 'Compact: one line per message'
                    : 'Full: with conversation and message ids'}
                </span>
              </label>
            ))}
          </fieldset>
          <AdviceGiverFields draft={draft} fields={fields} onFields={setFields} />
          <fieldset className="transcription-group transcription-people">
            <legend>Asked by</legend>
            <Field
              label="Name"
              value={fields.askedByName}
              onChange={(e) => set({ askedByName: e.target.value })}
            />
            <Field
              label="Role"
              value={fields.askedByRole}
              onChange={(e) => {
                const role = e.target.value;
                setFields((f) => editRole(f, 'asker', role));
              }}
            />
          </fieldset>
          <TextArea
            label="Actions (optional)"
            hint="One per line, for example: Call patient back after 2pm."
            rows={3}
            value={fields.actions}
            onChange={(e) => set({ actions: e.target.value })}
          />
          <Field
            label="Transcribed by"
            hint="You: the app records who transcribed the entry."
            readOnly
            value={`${draft.transcribedBy.name} (${draft.transcribedBy.role})`}
          />
        </form>
        <RecordEntry
          form={form}
          preview={preview}
          ready={ready}
          fields={fields}
          onFields={set}
          onConfirmed={setConfirmed}
        />
      </div>
    </>
  );
}
