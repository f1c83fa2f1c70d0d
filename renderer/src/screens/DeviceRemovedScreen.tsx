/**
 * After a remote wipe: the profile and its messages are gone from this computer, so instead of a
 * lock screen for a profile that no longer exists, say plainly what happened and what to do next.
 */
import { useEffect, useRef } from 'react';
import { CardPage } from '../components/CardPage.js';
import {
  removedByOwnDeviceExplanation,
  type OwnDeviceRemoval,
} from '../../../shared/removed-device-explanation.js';

interface Props {
  displayName: string;
  /** The person removed this PC from another of theirs; absent when the practice revoked it. */
  removedBy?: OwnDeviceRemoval | undefined;
  onContinue(): void;
}

export const wipedExplanation =
  'This device was revoked by your practice and its messages were erased. Ask your practice manager for a new enrolment code.';

export function DeviceRemovedScreen({ displayName, removedBy, onContinue }: Props) {
  const button = useRef<HTMLButtonElement>(null);
  // Focus moves here because the screen the user was working in has just disappeared.
  useEffect(() => button.current?.focus(), []);
  return (
    <CardPage
      title={
        removedBy
          ? 'This PC was removed from your devices'
          : 'This device was removed from your practice'
      }
    >
      <div className="removed-banner" role="alert">
        <p>
          <strong>{removedBy ? removedByOwnDeviceExplanation(removedBy) : wipedExplanation}</strong>
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
