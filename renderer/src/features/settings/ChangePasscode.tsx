/** Changing the passcode that unlocks this profile, inside Settings. */
import type { FormEvent } from 'react';
import { Field } from '../../components/Field.js';
import { useChangePasscode } from './useChangePasscode.js';

export function ChangePasscode() {
  const { current, setCurrent, next, setNext, confirm, setConfirm, message, busy, submit } =
    useChangePasscode();
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void submit();
  };

  return (
    <section className="settings-section" aria-labelledby="settings-passcode">
      <h3 id="settings-passcode">Change passcode</h3>
      <form onSubmit={onSubmit} noValidate>
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
