/**
 * Joins the practice relay with the one-time code from the practice manager, or with a link code
 * shown on another of the person's PCs (which then approves this one).
 */
import { useState, type FormEvent } from 'react';
import type { PolicyView, ProfileSummary } from '../../../shared/ipc/view-schemas.js';
import { call, errorMessage, messenger } from '../api.js';
import { Alert, CardPage } from '../components/CardPage.js';
import { Field } from '../components/Field.js';

interface Props {
  profile: ProfileSummary;
  policy: PolicyView;
  onEnrolled(): void;
  onLock(): void;
}

export function EnrolScreen({ profile, policy, onEnrolled, onLock }: Props) {
  const [serverUrl, setServerUrl] = useState(policy.serverUrl ?? '');
  const [code, setCode] = useState('');
  const [kind, setKind] = useState<'enrolment' | 'link'>('enrolment');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const managed = policy.serverUrl !== null;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found: Record<string, string> = {};
    if (!/^https?:\/\/\S+$/.test(serverUrl.trim())) {
      found['server'] =
        'Enter the practice server address, starting https:// (ask your practice manager or IT).';
    }
    if (kind === 'enrolment' && code.trim() === '') {
      found['code'] = 'Enter the enrolment code your practice manager gave you.';
    }
    if (kind === 'link' && code.replace(/[\s-]/g, '').length !== 16) {
      found['code'] =
        'Enter the 16 letters and digits shown on your other PC (Settings → Your devices → Link a new PC).';
    }
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    setProblem(null);
    try {
      await call(
        kind === 'link'
          ? messenger().account.enrolWithLink({
              serverUrl: serverUrl.trim(),
              linkCode: code.trim(),
            })
          : messenger().account.enrol({ serverUrl: serverUrl.trim(), enrolmentCode: code.trim() }),
      );
      onEnrolled();
    } catch (error) {
      setProblem(errorMessage(error));
      setBusy(false);
    }
  };

  return (
    <CardPage title="Join your practice">
      <p>
        Hello {profile.displayName}. Enter the enrolment code from your practice manager, or the
        link code shown on another of your PCs. It links this profile to your account in the
        practice directory, so colleagues can find you.
      </p>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Field
          label="Practice server"
          hint={
            managed
              ? 'Set by your practice IT policy.'
              : 'The address your practice manager or IT gave you.'
          }
          value={serverUrl}
          readOnly={managed}
          error={errors['server'] ?? null}
          onChange={(e) => setServerUrl(e.target.value)}
        />
        <fieldset className="radios">
          <legend>Where is your code from?</legend>
          <label className="radio">
            <input
              type="radio"
              name="code-kind"
              checked={kind === 'enrolment'}
              onChange={() => setKind('enrolment')}
            />
            <span>My practice manager gave it to me</span>
          </label>
          <label className="radio">
            <input
              type="radio"
              name="code-kind"
              checked={kind === 'link'}
              onChange={() => setKind('link')}
            />
            <span>My other PC shows it (Settings → Your devices)</span>
          </label>
        </fieldset>
        <Field
          label={kind === 'link' ? 'Link code' : 'Enrolment code'}
          hint={
            kind === 'link'
              ? 'Shown on your other PC under Settings → Your devices → Link a new PC. It works once, for 10 minutes.'
              : 'One-time code, for example ABCD-EFGH-JKLM. It expires after a few days.'
          }
          autoComplete="off"
          spellCheck={false}
          value={code}
          error={errors['code'] ?? null}
          onChange={(e) => setCode(e.target.value)}
        />
        <Alert message={problem} />
        <div className="actions">
          <button type="submit" className="button-primary" disabled={busy}>
            {busy
              ? kind === 'link'
                ? 'Waiting for your other PC to approve…'
                : 'Joining…'
              : 'Join practice'}
          </button>
          <button type="button" className="button-secondary" onClick={onLock}>
            Lock
          </button>
        </div>
      </form>
    </CardPage>
  );
}
