/**
 * Settings → Your devices → Link a new PC: the one-time code in large type and as a QR code, to
 * type on (or scan into) the new PC's enrolment screen; then "Room 7 PC wants to join" with
 * Approve and Refuse. A PC that did not prove it holds the code can only be refused.
 */
import { QrCode } from '../../components/QrCode.js';
import { formatWhen } from '../../logic/format.js';
import { useDeviceLink } from './useDeviceLink.js';

export function LinkPcPanel({ onAdded }: { onAdded(): void }) {
  const { code, status, problem, done, busy, start, cancel, decide } = useDeviceLink(onAdded);
  const asking = status?.state === 'requested' ? status.asking : null;

  return (
    <div className="link-pc">
      {problem && (
        <p className="alert" role="alert">
          {problem}
        </p>
      )}
      {/* Only with text: the section's own status line is the one the device list reports on. */}
      {done && (
        <p className="success link-done" role="status">
          {done}
        </p>
      )}
      {code === null ? (
        <button
          type="button"
          className="button-secondary"
          disabled={busy}
          onClick={() => void start()}
        >
          Link a new PC
        </button>
      ) : asking ? (
        <div className="link-asking" role="group" aria-label={`${asking.deviceName} wants to join`}>
          <p>
            <strong>{asking.deviceName}</strong> wants to join as one of your devices.
          </p>
          {asking.verified ? (
            <p className="hint">Approve only if you are setting up that PC yourself, now.</p>
          ) : (
            <p className="alert" role="alert">
              This PC did not prove it has your code. Refuse it, and make a new code.
            </p>
          )}
          <div className="actions">
            {asking.verified && (
              <button
                type="button"
                className="button-primary"
                disabled={busy}
                onClick={() => void decide(true)}
              >
                Approve
              </button>
            )}
            <button
              type="button"
              className="button-secondary"
              disabled={busy}
              onClick={() => void decide(false)}
            >
              Refuse
            </button>
          </div>
        </div>
      ) : (
        <div className="link-code-panel">
          <p>
            On the new PC, answer <strong>My other PC shows it</strong> when it asks where your code
            is from, then type this code or scan it. It works once, until{' '}
            {formatWhen(code.expiresAt)}.
          </p>
          <p>
            Link code: <strong className="link-code">{code.code}</strong>
          </p>
          <QrCode value={code.code} label={`QR code of the link code ${code.code}`} size={160} />
          <p className="hint" role="status">
            {code.approvalRequired
              ? 'Waiting for the new PC… you will be asked to approve it here.'
              : 'Waiting for the new PC… your practice lets the code alone add it.'}
          </p>
          <div className="actions">
            <button type="button" className="button-secondary" onClick={cancel}>
              Done
            </button>
          </div>
        </div>
      )}
    </div>
  );
}
