/**
 * Transcribing selected messages into the patient record (DOMAIN.md): the patient, the advice
 * (prefilled by main, quoting who said what and when), who asked, actions, and a live preview of
 * the plain-text entry. The clinician copies it (or saves the FHIR file), pastes it into EMIS Web
 * or SystmOne, and then confirms, which audits it and deletes the originals everywhere.
 */
import { useEffect, useState } from 'react';
import type {
  TranscriptionDraft,
  TranscriptionFormInput,
} from '../../../shared/ipc/clinical-schemas.js';
import { call, errorMessage, messenger } from '../api.js';
import { formatTime } from '../logic/format.js';
import {
  changeTemplate,
  dateOfBirthProblem,
  editRole,
  initialFields,
  nhsNumberProblem,
  readableProblem,
  toForm,
  type TranscriptionFields,
} from '../logic/transcription-form.js';
import { AdviceGiverFields } from './AdviceGiverFields.js';
import { Dialog } from './Dialog.js';
import { Field } from './Field.js';
import { TextArea } from './TextArea.js';
import {
  TranscriptionConfirm,
  TranscriptionResult,
  type Confirmed,
} from './TranscriptionConfirm.js';

interface Props {
  conversationId: string;
  messageIds: readonly string[];
  onClose(): void;
}

type Preview = { content: string | null; errors: string[] } | null;

export function TranscriptionPanel({ conversationId, messageIds, onClose }: Props) {
  const [draft, setDraft] = useState<TranscriptionDraft | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    void call(messenger().transcription.draft({ conversationId, messageIds: [...messageIds] }))
      .then(setDraft)
      .catch((error: unknown) => setProblem(errorMessage(error)));
    // The selection is fixed for the panel's lifetime.
  }, []);

  return (
    <Dialog title="Transcribe into the patient record" onClose={onClose} wide>
      {problem && (
        <p className="alert" role="alert">
          {problem}
        </p>
      )}
      {draft ? (
        <TranscriptionForm draft={draft} onClose={onClose} />
      ) : (
        !problem && <p role="status">Preparing the entry…</p>
      )}
    </Dialog>
  );
}

function TranscriptionForm({ draft, onClose }: { draft: TranscriptionDraft; onClose(): void }) {
  const [fields, setFields] = useState<TranscriptionFields>(() => initialFields(draft, Date.now()));
  const [preview, setPreview] = useState<Preview>(null);
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirmed, setConfirmed] = useState<Confirmed | null>(null);
  const set = (update: Partial<TranscriptionFields>) => setFields((f) => ({ ...f, ...update }));
  const form: TranscriptionFormInput = toForm(draft, fields);
  const formKey = JSON.stringify(form);
  // The entry as copied or saved: choosing when the originals go does not change it.
  const entryKey = JSON.stringify({ ...form, deleteOriginals: null });
  const [handedOverKey, setHandedOverKey] = useState<string | null>(null);
  const nhsProblem = nhsNumberProblem(fields.nhsNumber);
  const dobProblem = dateOfBirthProblem(fields.dateOfBirth, Date.now());
  const prefilled = draft.patient.nhsNumber !== '' && fields.nhsNumber === draft.patient.nhsNumber;
  const already = draft.quoted.filter((q) => q.transcribedAt !== null).length;

  // The preview is main's own rendering, so what is shown is exactly what will be copied.
  useEffect(() => {
    // Once confirmed, the originals may be gone: there is nothing left to render from.
    if (confirmed) return;
    let current = true;
    const timer = setTimeout(() => {
      void call(messenger().transcription.render({ form, format: 'text' }))
        .then((rendered) => current && setPreview(rendered))
        .catch(
          (error: unknown) =>
            current && setPreview({ content: null, errors: [errorMessage(error)] }),
        );
    }, 150);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [formKey, confirmed]);

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
      setHandedOverKey(entryKey);
      return `Entry copied. Paste it as a new entry in the patient's record. For privacy it will be cleared from the clipboard at ${formatTime(clearsAt)}.`;
    });
  const saveFhir = () =>
    act(async () => {
      const { saved, fileName } = await call(messenger().transcription.saveFhir({ form }));
      if (saved) setHandedOverKey(entryKey);
      return saved && fileName
        ? `FHIR file saved as ${fileName}.`
        : 'Not saved: no file was chosen.';
    });

  const ready =
    preview?.content != null &&
    nhsProblem === null &&
    dobProblem === null &&
    fields.adviceGivenByName.trim() !== '';
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
          <fieldset className="transcription-group">
            <legend>Patient</legend>
            {prefilled && (
              <p className="hint" role="status">
                Found in the selected messages. Check the patient&apos;s details against the record.
              </p>
            )}
            {draft.patient.nhsNumbersFound > 1 && (
              <p className="alert" role="alert">
                The selected messages mention {draft.patient.nhsNumbersFound} different NHS numbers,
                so none was filled in. Enter this entry&apos;s patient.
              </p>
            )}
            <Field
              label="NHS number"
              hint="10 digits, as on the patient's record, for example 943 476 5919."
              error={nhsProblem}
              inputMode="numeric"
              autoComplete="off"
              value={fields.nhsNumber}
              onChange={(e) => set({ nhsNumber: e.target.value })}
            />
            <Field
              label="Name (optional)"
              autoComplete="off"
              value={fields.patientName}
              onChange={(e) => set({ patientName: e.target.value })}
            />
            <Field
              label="Date of birth (optional)"
              hint="Day/month/year, for example 03/04/1956."
              error={dobProblem}
              inputMode="numeric"
              autoComplete="off"
              placeholder="dd/mm/yyyy"
              value={fields.dateOfBirth}
              onChange={(e) => set({ dateOfBirth: e.target.value })}
            />
          </fieldset>
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
            handedOver={handedOverKey === entryKey}
            fields={fields}
            onFields={set}
            onConfirmed={setConfirmed}
          />
        </section>
      </div>
    </>
  );
}
