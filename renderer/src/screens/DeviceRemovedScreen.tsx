/**
 * After a remote wipe: the profile and its messages are gone from this computer, so instead of a
 * lock screen for a profile that no longer exists, say plainly what happened and what to do next.
 */
import { useEffect, useRef } from 'react';
import { CardPage } from '../components/CardPage.js';

interface Props {
  displayName: string;
  onContinue(): void;
}

export const wipedExplanation =
  'This device was revoked by your practice and its messages were erased. Ask your practice manager for a new enrolment code.';

export function DeviceRemovedScreen({ displayName, onContinue }: Props) {
  const button = useRef<HTMLButtonElement>(null);
  // Focus moves here because the screen the user was working in has just disappeared.
  useEffect(() => button.current?.focus(), []);
  return (
    <CardPage title="This device was removed from your practice">
      <div className="removed-banner" role="alert">
        <p>
          <strong>{wipedExplanation}</strong>
        </p>
        <p>{displayName}&apos;s profile is no longer on this computer.</p>
      </div>
      <div className="actions">
        <button ref={button} type="button" className="button-primary" onClick={onContinue}>
          Continue
        </button>
      </div>
    </CardPage>
  );
}
