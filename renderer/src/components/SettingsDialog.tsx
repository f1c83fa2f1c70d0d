/** Settings: notification privacy, lock timeout, passcode change, and About. */
import { useEffect, useState, type FormEvent } from 'react';
import type { PolicyView, Settings } from '../../../shared/ipc/view-schemas.js';
import type { NotificationPrivacy } from '../../../shared/notification-privacy.js';
import { call, errorMessage, messenger, useMessengerEvent } from '../api.js';
import type { Account, AppInfo } from '../app-types.js';
import { Dialog } from './Dialog.js';
import { Field } from './Field.js';
import { NotificationPrivacyChoice } from './NotificationPrivacyChoice.js';

interface Props {
  policy: PolicyView;
  info: AppInfo;
  account: Account | null;
  onClose(): void;
}

const timeoutChoices = [1, 2, 5, 10, 15, 30, 60];

export function SettingsDialog({ policy, info, account, onClose }: Props) {
  const [settings, setSettings] = useState<Settings | null>(null);
  const [saved, setSaved] = useState('');
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    void call(messenger().settings.get())
      .then(setSettings)
      .catch((error: unknown) => setProblem(errorMessage(error)));
  }, []);
  useMessengerEvent('settings.changed', setSettings);

  const change = async (update: Partial<Settings>) => {
    setProblem(null);
    const before = settings;
    // Shown at once so the control answers the click; main's answer (or refusal) then wins.
    setSettings((current) => (current ? { ...current, ...update } : current));
    try {
      setSettings(await call(messenger().settings.set(update)));
      setSaved('Saved.');
    } catch (error) {
      setSettings(before);
      setProblem(errorMessage(error));
    }
  };

  const timeouts = timeoutChoices.filter((m) => m <= policy.lockTimeoutMinutes);
  if (!timeouts.includes(policy.lockTimeoutMinutes)) timeouts.push(policy.lockTimeoutMinutes);

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

function ChangePasscode() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (current === '' || next === '') {
      setMessage({ ok: false, text: 'Enter your current passcode and a new one.' });
      return;
    }
    if (next !== confirm) {
      setMessage({ ok: false, text: 'The two new passcodes are different. Type them again.' });
      return;
    }
    setBusy(true);
    try {
      await call(
        messenger().profiles.changePasscode({ currentPasscode: current, newPasscode: next }),
      );
      setMessage({ ok: true, text: 'Passcode changed. Use the new one next time you unlock.' });
      setCurrent('');
      setNext('');
      setConfirm('');
    } catch (error) {
      setMessage({ ok: false, text: errorMessage(error) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="settings-section" aria-labelledby="settings-passcode">
      <h3 id="settings-passcode">Change passcode</h3>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Field
          label="Current passcode"
          type="password"
          autoComplete="current-password"
          value={current}
          onChange={(e) => setCurrent(e.target.value)}
        />
        <Field
          label="New passcode"
          hint="At least 6 characters."
          type="password"
          autoComplete="new-password"
          value={next}
          onChange={(e) => setNext(e.target.value)}
        />
        <Field
          label="Type the new passcode again"
          type="password"
          autoComplete="new-password"
          value={confirm}
          onChange={(e) => setConfirm(e.target.value)}
        />
        <p
          role={message && !message.ok ? 'alert' : 'status'}
          className={message?.ok === false ? 'alert' : 'success'}
        >
          {message?.text}
        </p>
        <button type="submit" className="button-secondary" disabled={busy}>
          Change passcode
        </button>
      </form>
    </section>
  );
}
