/**
 * Settings: the PCs this person is enrolled on, with when each was last seen, and Remove for the
 * others (asked to confirm first: the removed PC is revoked and erases its copy of the profile).
 */
import { useState } from 'react';
import { formatWhen } from '../../logic/format.js';
import { LinkPcPanel } from './LinkPcPanel.js';
import { deviceLabel, useOwnDevices, type OwnDevice } from './useOwnDevices.js';

export function DevicesSection() {
  const { devices, problem, done, busy, remove, reload } = useOwnDevices();
  const [confirming, setConfirming] = useState<number | null>(null);

  const confirmRemove = async (device: OwnDevice) => {
    await remove(device);
    setConfirming(null);
  };

  return (
    <section className="settings-section" aria-labelledby="settings-devices">
      <h3 id="settings-devices">Your devices</h3>
      <p className="hint">
        The computers you use Practice Messenger on. Remove one you no longer use: it is signed out
        and its copy of your messages is erased the next time it connects.
      </p>
      {problem && (
        <p className="alert" role="alert">
          {problem}
        </p>
      )}
      <p className="success" role="status">
        {done}
      </p>
      {devices && (
        <ul className="device-list">
          {devices.map((device) => (
            <li key={device.deviceId} className="device-row">
              <div className="device-summary">
                <span className="device-name">
                  {deviceLabel(device)}
                  {device.current && <span className="device-current"> (this computer)</span>}
                </span>
                <span className="hint">
                  {/* Two PCs may share a name (the host name): the number tells them apart. */}
                  Device {device.deviceId} ·{' '}
                  {device.current
                    ? 'In use now'
                    : device.lastSeen === null
                      ? 'Not seen yet'
                      : `Last seen ${formatWhen(device.lastSeen)}`}
                </span>
              </div>
              {!device.current &&
                (confirming === device.deviceId ? (
                  <div
                    className="device-confirm"
                    role="group"
                    aria-label={`Remove ${deviceLabel(device)}?`}
                  >
                    <p>
                      Remove {deviceLabel(device)}? It stops receiving your messages and erases
                      them.
                    </p>
                    <div className="actions">
                      <button
                        type="button"
                        className="button-danger"
                        disabled={busy}
                        onClick={() => void confirmRemove(device)}
                      >
                        Remove device
                      </button>
                      <button
                        type="button"
                        className="button-secondary"
                        onClick={() => setConfirming(null)}
                      >
                        Keep it
                      </button>
                    </div>
                  </div>
                ) : (
                  <button
                    type="button"
                    className="button-secondary"
                    aria-label={`Remove ${deviceLabel(device)}`}
                    onClick={() => setConfirming(device.deviceId)}
                  >
                    Remove…
                  </button>
                ))}
            </li>
          ))}
        </ul>
      )}
      <LinkPcPanel onAdded={() => void reload()} />
    </section>
  );
}
