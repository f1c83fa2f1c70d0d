/** First run (or a new colleague on a shared PC): name and passcode for a new profile. */
import { useState, type FormEvent } from 'react';
import type { ProfileSummary } from '../../../shared/ipc/view-schemas.js';
import { call, errorMessage, messenger } from '../api.js';
import { Alert, CardPage } from '../components/CardPage.js';
import { Field } from '../components/Field.js';

interface Props {
  firstRun: boolean;
  onCreated(profile: ProfileSummary): void;
  onCancel: (() => void) | null;
}

const minimumPasscode = 6;

export function CreateProfileScreen({ firstRun, onCreated, onCancel }: Props) {
  const [name, setName] = useState('');
  const [passcode, setPasscode] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found: Record<string, string> = {};
    if (name.trim() === '') found['name'] = 'Enter your name, as colleagues know you.';
    if ([...passcode].length < minimumPasscode) {
      found['passcode'] = `Use at least ${minimumPasscode} characters.`;
    }
    if (confirm !== passcode) found['confirm'] = 'The two passcodes are different. Type it again.';
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    setProblem(null);
    try {
      const { profile } = await call(
        messenger().profiles.create({ displayName: name.trim(), passcode }),
      );
      onCreated(profile);
    } catch (error) {
      setProblem(errorMessage(error));
      setBusy(false);
    }
  };

  return (
    <CardPage title={firstRun ? 'Welcome to Practice Messenger' : 'Add a profile'}>
      {firstRun && (
        <p>
          Secure messaging between reception and clinicians in your practice. First, create your own
          profile on this computer.
        </p>
      )}
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Field
          label="Your name"
          hint="For example: Sam Jones, or Dr Priya Patel"
          autoComplete="name"
          value={name}
          error={errors['name'] ?? null}
          onChange={(e) => setName(e.target.value)}
        />
        <Field
          label="Choose a passcode"
          hint={`At least ${minimumPasscode} characters. Only you should know it: if you forget it, you will need a new enrolment code.`}
          type="password"
          autoComplete="new-password"
          value={passcode}
          error={errors['passcode'] ?? null}
          onChange={(e) => setPasscode(e.target.value)}
        />
        <Field
          label="Type the passcode again"
          type="password"
          autoComplete="new-password"
          value={confirm}
          error={errors['confirm'] ?? null}
          onChange={(e) => setConfirm(e.target.value)}
        />
        <Alert message={problem} />
        <div className="actions">
          <button type="submit" className="button-primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create profile'}
          </button>
          {onCancel && (
            <button type="button" className="button-secondary" onClick={onCancel}>
              Back
            </button>
          )}
        </div>
      </form>
    </CardPage>
  );
}
