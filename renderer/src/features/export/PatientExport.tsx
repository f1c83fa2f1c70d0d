/**
 * Subject access by patient, in the practice manager's audit log: every conversation on this PC
 * that mentions the NHS number, with that patient's messages only (another patient's message in
 * the same conversation is left out), and the practice audit entries about them. Policy
 * allowExport and the passcode again, as for a conversation; the export is recorded in the
 * practice trail. Finding nothing is said as a failure, never "Exported 0 messages".
 */
import { useState } from 'react';
import type { MethodResponse } from '../../../../shared/ipc/contract.js';
import { Field } from '../../components/Field.js';
import { messenger } from '../../api.js';
import { nhsProblem } from '../../logic/nhs-problem.js';
import { SarExportFields } from './SarExportFields.js';
import { useSarExport } from './useSarExport.js';

type Exported = MethodResponse<'export.patient'>;

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export function PatientExport() {
  const [nhsNumber, setNhsNumber] = useState('');
  const numberProblem = nhsProblem(nhsNumber);
  const { busy, result, onSubmit, ...fields } = useSarExport<Exported>(
    (credentials) => messenger().export.patient({ nhsNumber: nhsNumber.trim(), ...credentials }),
    () =>
      nhsNumber.trim() === '' || numberProblem
        ? (numberProblem ?? "Type the patient's NHS number.")
        : null,
  );

  return (
    <>
      <p className="hint">
        Finds every conversation on this PC that mentions the patient&apos;s NHS number and saves
        that patient&apos;s messages only (other patients&apos; messages are left out), with the
        practice audit entries about them, in a folder you choose. The export is recorded in the
        practice audit. It contains patient information: keep it as your practice&apos;s SAR
        procedure says.
      </p>
      <form onSubmit={onSubmit} noValidate className="patient-export">
        <Field
          label="Patient's NHS number"
          inputMode="numeric"
          autoComplete="off"
          value={nhsNumber}
          error={numberProblem}
          onChange={(e) => setNhsNumber(e.target.value)}
        />
        <SarExportFields {...fields} />
        <div className="actions">
          <button type="submit" className="button-primary" disabled={busy}>
            Export this patient&apos;s messages…
          </button>
        </div>
      </form>
      {result &&
        (result.exported ? (
          <div className="export-result">
            <p className="success" role="status">
              Exported {plural(result.messageCount, 'message', 'messages')} from{' '}
              {plural(result.conversations, 'conversation', 'conversations')}, and{' '}
              {plural(result.auditEntries, 'practice audit entry', 'practice audit entries')}.
            </p>
            <p>These files are in the folder you chose:</p>
            <ul className="export-files">
              {result.files.map((file) => (
                <li key={file}>{file}</li>
              ))}
            </ul>
          </div>
        ) : (
          <p role="status">Nothing was exported: no folder was chosen.</p>
        ))}
    </>
  );
}
