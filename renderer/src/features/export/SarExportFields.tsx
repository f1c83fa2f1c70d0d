/**
 * The passcode and SAR reference fields and the problem alert of a Subject Access Request export
 * form, so every export asks the same way with the same labels, hints and error announcement.
 */
import { Field } from '../../components/Field.js';

interface Props {
  passcode: string;
  setPasscode(value: string): void;
  reference: string;
  setReference(value: string): void;
  problem: string | null;
}

export function SarExportFields({
  passcode,
  setPasscode,
  reference,
  setReference,
  problem,
}: Props) {
  return (
    <>
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
    </>
  );
}
