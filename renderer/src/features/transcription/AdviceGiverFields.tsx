/**
 * Who gave the advice, in the transcription panel. Main proposes the last clinician who wrote in
 * the selection (never simply the last author); when no clinician wrote, nobody is proposed and
 * the panel says so: the user chooses from the authors and the practice's clinicians. A role
 * edited here is that person's role on every line of the entry.
 */
import { useId, type Dispatch, type SetStateAction } from 'react';
import type { TranscriptionDraft } from '../../../../shared/ipc/clinical-schemas.js';
import {
  chooseAdviceGiver,
  editRole,
  type TranscriptionFields,
} from '../../logic/transcription-form.js';
import { Field } from '../../components/Field.js';

interface Props {
  draft: TranscriptionDraft;
  fields: TranscriptionFields;
  onFields: Dispatch<SetStateAction<TranscriptionFields>>;
}

export function AdviceGiverFields({ draft, fields, onFields }: Props) {
  const id = useId();
  const missing = fields.adviceGiverId === '' && fields.adviceGivenByName.trim() === '';
  const inSelection = draft.adviceGiverChoices.filter((c) => c.inSelection);
  const others = draft.adviceGiverChoices.filter((c) => !c.inSelection);
  return (
    <fieldset className="transcription-group transcription-people">
      <legend>Advice given by</legend>
      {draft.adviceGivenBy === null && (
        <p className={missing ? 'alert' : 'hint'} role={missing ? 'alert' : 'status'}>
          No clinician wrote in the selected messages, so the app cannot tell who gave the advice.
          Choose who did.
        </p>
      )}
      <div className={missing ? 'field field-error' : 'field'}>
        <label htmlFor={id}>Who gave the advice</label>
        <select
          id={id}
          value={fields.adviceGiverId}
          aria-invalid={missing ? true : undefined}
          onChange={(e) => {
            const accountId = e.target.value;
            onFields((f) => chooseAdviceGiver(draft, f, accountId));
          }}
        >
          <option value="">Choose…</option>
          {inSelection.length > 0 && (
            <optgroup label="Wrote in the selected messages">
              {inSelection.map((c) => (
                <option key={c.accountId} value={c.accountId}>
                  {c.name} ({c.role})
                </option>
              ))}
            </optgroup>
          )}
          {others.length > 0 && (
            <optgroup label="Other clinicians in the practice">
              {others.map((c) => (
                <option key={c.accountId} value={c.accountId}>
                  {c.name} ({c.role})
                </option>
              ))}
            </optgroup>
          )}
        </select>
      </div>
      <Field
        label="Name"
        value={fields.adviceGivenByName}
        onChange={(e) => {
          const name = e.target.value;
          onFields((f) => ({ ...f, adviceGivenByName: name }));
        }}
      />
      <Field
        label="Role"
        hint="As the record should say it, e.g. GP. Used on every line of the entry."
        value={fields.adviceGivenByRole}
        onChange={(e) => {
          const role = e.target.value;
          onFields((f) => editRole(f, 'giver', role));
        }}
      />
    </fieldset>
  );
}
