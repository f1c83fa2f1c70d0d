/**
 * Shown while a peer's safety number has changed and the user has not checked it: sending stays
 * off until they acknowledge, because the change could be someone pretending to be the peer.
 */
interface Props {
  name: string;
  onShowSafetyNumber(): void;
  onAcknowledge(): void;
}

export function IdentityBanner({ name, onShowSafetyNumber, onAcknowledge }: Props) {
  return (
    <div className="identity-banner" role="alert">
      <p>
        <strong>{name}&apos;s safety number has changed.</strong> This happens when they reinstall
        the app or use a new computer, but it could also mean someone else is pretending to be them.
        Check the safety number with them in person or by phone before you send anything sensitive.
      </p>
      <div className="actions">
        <button type="button" onClick={onShowSafetyNumber}>
          View safety number
        </button>
        <button type="button" className="button-primary" onClick={onAcknowledge}>
          I have checked: continue
        </button>
      </div>
    </div>
  );
}
