/**
 * The safety number both people compare (read aloud, or scan the QR code) to be sure nobody is in
 * the middle. When it changed, the user acknowledges it explicitly here.
 */
import { Dialog } from '../../components/Dialog.js';
import { QrCode } from '../../components/QrCode.js';
import { safetyNumberGroups } from '../../logic/format.js';
import { useSafetyNumber } from './useSafetyNumber.js';

interface Props {
  accountId: string;
  name: string;
  onAcknowledged(): void;
  onClose(): void;
}

export function SafetyNumberDialog({ accountId, name, onAcknowledged, onClose }: Props) {
  const { safety, problem, acknowledge } = useSafetyNumber(accountId, onAcknowledged);

  return (
    <Dialog title={`Safety number with ${name}`} onClose={onClose} wide>
      {problem && (
        <p className="alert" role="alert">
          {problem}
        </p>
      )}
      {safety === null ? (
        !problem && <p>Loading…</p>
      ) : (
        <>
          {safety.identityChanged && (
            <p className="identity-banner">
              {name}&apos;s safety number has changed since you last talked. Compare it with them
              before you continue.
            </p>
          )}
          <p>
            Compare these numbers with {name}, in person or by phone. If they match on both screens,
            your messages are end-to-end encrypted to them and nobody else.
          </p>
          <div className="safety-layout">
            <ol className="safety-digits" aria-label="Safety number, 12 groups of 5 digits">
              {safetyNumberGroups(safety.digits).map((group, index) => (
                <li key={index}>{group}</li>
              ))}
            </ol>
            <QrCode
              value={safety.qrPayload}
              label={`QR code of the safety number with ${name}, for scanning`}
            />
          </div>
          {safety.identityChanged && (
            <div className="actions">
              <button type="button" className="button-primary" onClick={() => void acknowledge()}>
                The numbers match: acknowledge the new safety number
              </button>
            </div>
          )}
        </>
      )}
    </Dialog>
  );
}
