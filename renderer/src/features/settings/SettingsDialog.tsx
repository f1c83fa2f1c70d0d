/** Settings: notification privacy, lock timeout, passcode change, your devices, and About. */
import type { PolicyView } from '../../../../shared/ipc/view-schemas.js';
import type { NotificationPrivacy } from '../../../../shared/notification-privacy.js';
import type { Account, AppInfo } from '../../app-types.js';
import { Dialog } from '../../components/Dialog.js';
import { NotificationPrivacyChoice } from '../../components/NotificationPrivacyChoice.js';
import { lockTimeoutChoices } from '../../logic/settings-choices.js';
import { ChangePasscode } from './ChangePasscode.js';
import { DevicesSection } from './DevicesSection.js';
import { useSettings } from './useSettings.js';

interface Props {
  policy: PolicyView;
  info: AppInfo;
  account: Account | null;
  onClose(): void;
}

export function SettingsDialog({ policy, info, account, onClose }: Props) {
  const { settings, saved, problem, change } = useSettings();
  const timeouts = lockTimeoutChoices(policy.lockTimeoutMinutes);

  return (
    <Dialog title="Settings" onClose={onClose} wide>
      {problem && (
        <p className="alert" role="alert">
          {problem}
        </p>
      )}
      <p className="visually-hidden" role="status">
        {saved}
      </p>
      <section className="settings-section" aria-labelledby="settings-notifications">
        <h3 id="settings-notifications">Notifications</h3>
        {settings && (
          <NotificationPrivacyChoice
            value={settings.notificationPrivacy}
            policyLeastPrivate={policy.notificationPrivacy}
            onChange={(level: NotificationPrivacy) => void change({ notificationPrivacy: level })}
          />
        )}
      </section>
      <section className="settings-section" aria-labelledby="settings-lock">
        <h3 id="settings-lock">Lock</h3>
        <div className="field">
          <label htmlFor="lock-timeout">Lock after this long without use</label>
          <p className="hint" id="lock-timeout-hint">
            Your practice allows at most {policy.lockTimeoutMinutes} minutes. It also locks when you
            lock the computer.
          </p>
          {settings && (
            <select
              id="lock-timeout"
              aria-describedby="lock-timeout-hint"
              value={settings.lockTimeoutMinutes}
              onChange={(e) => void change({ lockTimeoutMinutes: Number(e.target.value) })}
            >
              {timeouts.map((minutes) => (
                <option key={minutes} value={minutes}>
                  {minutes === 1 ? '1 minute' : `${minutes} minutes`}
                </option>
              ))}
            </select>
          )}
        </div>
      </section>
      <ChangePasscode />
      {account?.enrolled && <DevicesSection />}
      <section className="settings-section" aria-labelledby="settings-about">
        <h3 id="settings-about">About</h3>
        <dl className="about">
          <dt>Product</dt>
          <dd>{info.productName}</dd>
          <dt>Version</dt>
          <dd>{info.version}</dd>
          <dt>Practice server</dt>
          <dd>{account?.serverUrl ?? policy.serverUrl ?? 'Not set'}</dd>
          <dt>Settings managed by</dt>
          <dd>{policy.source === 'defaults' ? 'Built-in defaults' : 'Your practice IT policy'}</dd>
          <dt>Licence</dt>
          <dd>{info.licence} (free software: you may get the source code)</dd>
        </dl>
      </section>
    </Dialog>
  );
}
