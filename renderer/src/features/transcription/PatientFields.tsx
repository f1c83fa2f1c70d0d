/**
 * The patient of the entry. Main fills the NHS number in when the selected messages name exactly
 * one; the clinician is then asked to check it, and several different numbers fill in none.
 */
import type { TranscriptionDraft } from '../../../../shared/ipc/clinical-schemas.js';
import { Field } from '../../components/Field.js';
import { fieldProblems, nhsNumberPrefilled } from '../../logic/transcription-entry.js';
import type { TranscriptionFields } from '../../logic/transcription-form.js';

interface Props {
  draft: TranscriptionDraft;
  fields: TranscriptionFields;
  onFields(update: Partial<TranscriptionFields>): void;
}

export function PatientFields({ draft, fields, onFields }: Props) {
  const problems = fieldProblems(fields, Date.now());
  return (
    <fieldset className="transcription-group">
      <legend>Patient</legend>
      {nhsNumberPrefilled(draft, fields) && (
        <p className="hint" role="status">
          Found in the selected messages. Check the patient&apos;s details against the record.
        </p>
      )}
      {draft.patient.nhsNumbersFound > 1 && (
        <p className="alert" role="alert">
          The selected messages mention {draft.patient.nhsNumbersFound} different NHS numbers, so
          none was filled in. Enter this entry&apos;s patient.
        </p>
      )}
      <Field
        label="NHS number"
        hint="10 digits, as on the patient's record, for example 943 476 5919."
        error={problems.nhsNumber}
        inputMode="numeric"
        autoComplete="off"
        value={fields.nhsNumber}
        onChange={(e) => onFields({ nhsNumber: e.target.value })}
      />
      <Field
        label="Name (optional)"
        autoComplete="off"
        value={fields.patientName}
        onChange={(e) => onFields({ patientName: e.target.value })}
      />
      <Field
        label="Date of birth (optional)"
        hint="Day/month/year, for example 03/04/1956."
        error={problems.dateOfBirth}
        inputMode="numeric"
        autoComplete="off"
        placeholder="dd/mm/yyyy"
        value={fields.dateOfBirth}
        onChange={(e) => onFields({ dateOfBirth: e.target.value })}
      />
    </fieldset>
  );
}
