/**
 * The visible locked state: nothing of the profile is on screen, only whose it is and a passcode
 * box. Shown at start, after an idle or OS lock, and when the user locks on demand.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { LockReason, PolicyView, ProfileSummary } from '../../../shared/ipc/view-schemas.js';
import { call, messenger, UiError } from '../api.js';
import { Alert, CardPage } from '../components/CardPage.js';
import { Field } from '../components/Field.js';

interface Props {
  profile: ProfileSummary;
  reason: LockReason | null;
  policy: PolicyView;
  canSwitch: boolean;
  /** Opens the unlocked profile; a rejection is shown here. */
  onUnlocked(profile: ProfileSummary): Promise<void>;
  onSwitch(): void;
  onProfileGone(): void;
}

const reasonText: Record<LockReason, string> = {
  user: 'You locked Practice Messenger.',
  idle: 'Practice Messenger locked because the computer was idle.',
  'os-lock': 'Practice Messenger locked because the computer was locked.',
  suspend: 'Practice Messenger locked because the computer went to sleep.',
  'profile-switch': 'Another profile was opened on this computer.',
};

export function UnlockScreen(props: Props) {
  const { profile, reason, policy } = props;
  const [passcode, setPasscode] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => input.current?.focus(), []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (passcode === '') {
      setProblem('Enter your passcode.');
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      const { profile: unlocked } = await call(
        messenger().profiles.unlock({ profileId: profile.id, passcode }),
      );
      await props.onUnlocked(unlocked);
    } catch (error) {
      setBusy(false);
      setPasscode('');
      input.current?.focus();
      if (error instanceof UiError && error.code === 'profile_not_found') {
        props.onProfileGone();
        return;
      }
      setProblem(describeUnlockError(error, policy.maxPasscodeAttempts));
    }
  };

  return (
    <CardPage title="Practice Messenger is locked">
      <div className="locked-banner" role="status">
        <PadlockIcon />
        <div>
          <p className="locked-name">{profile.displayName}</p>
          <p>{reason ? reasonText[reason] : 'Enter your passcode to open your messages.'}</p>
        </div>
      </div>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Field
          ref={input}
          label="Passcode"
          type="password"
          autoComplete="current-password"
          value={passcode}
          onChange={(e) => setPasscode(e.target.value)}
        />
        <Alert message={problem} />
        <div className="actions">
          <button type="submit" className="button-primary" disabled={busy}>
            {busy ? 'Unlocking…' : 'Unlock'}
          </button>
          <button type="button" className="button-secondary" onClick={props.onSwitch}>
            {props.canSwitch ? 'Not you? Choose your profile' : 'Add or choose a profile'}
          </button>
        </div>
      </form>
    </CardPage>
  );
}

function describeUnlockError(error: unknown, maxAttempts: number | null): string {
  if (!(error instanceof UiError)) return 'Something went wrong. Try again.';
  if (error.code === 'too_many_attempts' && error.retryAfterMs !== undefined) {
    const seconds = Math.ceil(error.retryAfterMs / 1000);
    return `Too many wrong passcodes. Wait ${seconds} seconds, then try again.`;
  }
  if (error.code === 'invalid_passcode' && maxAttempts !== null) {
    return `${error.message} After ${maxAttempts} wrong passcodes in a row this profile is removed from this computer.`;
  }
  return error.message;
}

function PadlockIcon() {
  return (
    <svg className="lock-icon" viewBox="0 0 24 24" width="36" height="36" aria-hidden="true">
      <path d="M7 10V7a5 5 0 0 1 10 0v3" fill="none" stroke="currentColor" strokeWidth="2.2" />
      <rect x="4" y="10" width="16" height="11" rx="2" fill="currentColor" />
    </svg>
  );
}
