/**
 * Subject access by patient, in the practice manager's audit log: every conversation on this PC
 * that mentions the NHS number, with that patient's messages only (another patient's message in
 * the same conversation is left out), and the practice audit entries about them. Policy
 * allowExport and the passcode again, as for a conversation; the export is recorded in the
 * practice trail. Finding nothing is said as a failure, never "Exported 0 messages".
 */
import { useState, type FormEvent } from 'react';
import type { MethodResponse } from '../../../../shared/ipc/contract.js';
import { Field } from '../../components/Field.js';
import { call, errorMessage, messenger } from '../../api.js';
import { nhsProblem } from '../../logic/nhs-problem.js';

type Exported = MethodResponse<'export.patient'>;

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export function PatientExport() {
  const [nhsNumber, setNhsNumber] = useState('');
  const [passcode, setPasscode] = useState('');
  const [reference, setReference] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [result, setResult] = useState<Exported | null>(null);
  const numberProblem = nhsProblem(nhsNumber);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (nhsNumber.trim() === '' || numberProblem) {
      setProblem(numberProblem ?? "Type the patient's NHS number.");
      return;
    }
    if (passcode === '') {
      setProblem('Type your passcode to confirm it is you.');
      return;
    }
    setBusy(true);
    setProblem(null);
    setResult(null);
    try {
      const trimmed = reference.trim();
      setResult(
        await call(
          messenger().export.patient({
            nhsNumber: nhsNumber.trim(),
            passcode,
            ...(trimmed ? { reference: trimmed } : {}),
          }),
        ),
      );
    } catch (error) {
      setProblem(errorMessage(error));
    } finally {
      setPasscode('');
      setBusy(false);
    }
  };

  return (
    <>
      <p className="hint">
        Finds every conversation on this PC that mentions the patient&apos;s NHS number and saves
        that patient&apos;s messages only (other patients&apos; messages are left out), with the
        practice audit entries about them, in a folder you choose. The export is recorded in the
        practice audit. It contains patient information: keep it as your practice&apos;s SAR
        procedure says.
      </p>
      <form onSubmit={(e) => void submit(e)} noValidate className="patient-export">
        <Field
          label="Patient's NHS number"
          inputMode="numeric"
          autoComplete="off"
          value={nhsNumber}
          error={numberProblem}
          onChange={(e) => setNhsNumber(e.target.value)}
        />
        <Field
          label="Your passcode"
          hint="Typed again to confirm it is you."
          type="password"
          autoComplete="current-password"
          value={passcode}
          onChange={(e) => setPasscode(e.target.value)}
        />
        <Field
          label="SAR reference (optional)"
          hint="Your practice's reference for the request, for example SAR-2026-014. Not the patient's name."
          autoComplete="off"
          value={reference}
          onChange={(e) => setReference(e.target.value)}
        />
        {problem && (
          <p className="alert" role="alert">
            {problem}
          </p>
        )}
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
